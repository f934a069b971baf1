package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// HTTP writes to a FHIR server's RESTful API.
type HTTP struct {
	BaseURL string // the FHIR base, e.g. http://127.0.0.1:8080/fhir
	Client  *http.Client
}

// NewHTTP returns a target for the FHIR server at base.
func NewHTTP(base string) *HTTP {
	return &HTTP{BaseURL: strings.TrimSuffix(base, "/"), Client: &http.Client{Timeout: 10 * time.Minute}}
}

// Bundle posts a transaction or batch bundle to the base.
func (h *HTTP) Bundle(ctx context.Context, body []byte) ([]Outcome, error) {
	status, resp, err := h.do(ctx, http.MethodPost, h.BaseURL, body)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %s", status, outcomeText(resp))
	}
	var b struct {
		Entry []struct {
			Response struct {
				Status  string          `json:"status"`
				Outcome json.RawMessage `json:"outcome"`
			} `json:"response"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(resp, &b); err != nil {
		return nil, fmt.Errorf("reading the response bundle: %w", err)
	}
	outs := make([]Outcome, len(b.Entry))
	for i, e := range b.Entry {
		code, _, _ := strings.Cut(e.Response.Status, " ")
		outs[i].Status, _ = strconv.Atoi(code)
		if outs[i].Status >= 400 || outs[i].Status == 0 {
			outs[i].Err = fmt.Sprintf("%s: %s", e.Response.Status, outcomeText(e.Response.Outcome))
		}
	}
	return outs, nil
}

// Put updates or creates typ/id.
func (h *HTTP) Put(ctx context.Context, typ, id string, body []byte) Outcome {
	return h.write(ctx, http.MethodPut, h.BaseURL+"/"+typ+"/"+url.PathEscape(id), body)
}

// Post creates a resource.
func (h *HTTP) Post(ctx context.Context, typ string, body []byte) Outcome {
	return h.write(ctx, http.MethodPost, h.BaseURL+"/"+typ, body)
}

func (h *HTTP) write(ctx context.Context, method, u string, body []byte) Outcome {
	status, resp, err := h.do(ctx, method, u, body)
	if err != nil {
		return Outcome{Err: err.Error()}
	}
	if status >= 300 {
		return Outcome{Status: status, Err: fmt.Sprintf("HTTP %d: %s", status, outcomeText(resp))}
	}
	return Outcome{Status: status}
}

func (h *HTTP) do(ctx context.Context, method, u string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Accept", "application/fhir+json")
	req.Header.Set("Prefer", "return=OperationOutcome")
	resp, err := h.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	return resp.StatusCode, data, nil
}

// outcomeText is the human text of an OperationOutcome's issues, or the raw body.
func outcomeText(body []byte) string {
	var oo struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Severity    string `json:"severity"`
			Diagnostics string `json:"diagnostics"`
			Details     struct {
				Text string `json:"text"`
			} `json:"details"`
			Expression []string `json:"expression"`
		} `json:"issue"`
	}
	if json.Unmarshal(body, &oo) != nil || oo.ResourceType != "OperationOutcome" {
		if len(body) > 200 {
			body = body[:200]
		}
		return string(body)
	}
	var parts []string
	for _, is := range oo.Issue {
		if is.Severity != "error" && is.Severity != "fatal" {
			continue
		}
		text := is.Details.Text
		if text == "" {
			text = is.Diagnostics
		}
		if len(is.Expression) > 0 {
			text += " (" + strings.Join(is.Expression, ", ") + ")"
		}
		parts = append(parts, text)
	}
	return strings.Join(parts, "; ")
}
