package importer

import (
	"context"

	"github.com/joinedup/joinedup/internal/interaction"
)

// Local writes through the interaction layer in this process: the same transaction path
// (validation, indexing, audit) as the REST API.
type Local struct {
	Service *interaction.Service
	// BaseURL is the FHIR base used for fullUrls in bundle responses.
	BaseURL string
}

func (l *Local) req() *interaction.Request { return &interaction.Request{BaseURL: l.BaseURL} }

// Bundle runs a transaction or batch bundle.
func (l *Local) Bundle(ctx context.Context, body []byte) ([]Outcome, error) {
	res, err := l.Service.Bundle(ctx, l.req(), body)
	if err != nil {
		return nil, err
	}
	outs := make([]Outcome, len(res.Entries))
	for i, e := range res.Entries {
		outs[i] = Outcome{Status: e.Status}
		if e.Err != nil {
			outs[i].Err = e.Err.Error()
		}
	}
	return outs, nil
}

// Put updates or creates typ/id.
func (l *Local) Put(ctx context.Context, typ, id string, body []byte) Outcome {
	return result(l.Service.Update(ctx, l.req(), typ, id, body, interaction.UpdateOptions{}))
}

// Post creates a resource.
func (l *Local) Post(ctx context.Context, typ string, body []byte) Outcome {
	return result(l.Service.Create(ctx, l.req(), typ, body, interaction.CreateOptions{}))
}

func result(res *interaction.Result, err error) Outcome {
	if err != nil {
		return Outcome{Err: err.Error()}
	}
	return Outcome{Status: res.Status}
}
