package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/joinedup/joinedup/fhir"
	"github.com/joinedup/joinedup/fhirpath"
	"github.com/spf13/cobra"
)

// newFHIRPathCmd is `joinedup fhirpath [-r RESOURCE.json] EXPRESSION` and
// `joinedup fhirpath --batch` (DESIGN.md, "Interfaces that stay stable").
func newFHIRPathCmd() *cobra.Command {
	var resourceFile string
	var batch, lenient bool
	cmd := &cobra.Command{
		Use:   "fhirpath [-r RESOURCE.json] EXPRESSION | --batch",
		Short: "Evaluate FHIRPath expressions",
		Long: `Evaluate a FHIRPath expression, on a resource read from a JSON file (-r) or on
nothing, and print the result as a JSON array of {"type": T, "value": V}.

With --batch, read JSON lines {"resource": {...}, "expression": "..."} from standard
input (resource optional) and write one JSON line for each: {"result": [...]} or
{"error": "..."}.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if batch {
				if len(args) != 0 || resourceFile != "" {
					return errors.New("--batch takes no expression and no -r")
				}
				return nil
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var opts []fhirpath.Option
			if lenient {
				opts = append(opts, fhirpath.Lenient())
			}
			if batch {
				return runFHIRPathBatch(cmd.InOrStdin(), cmd.OutOrStdout(), opts)
			}
			var input fhir.Element
			if resourceFile != "" {
				data, err := os.ReadFile(resourceFile)
				if err != nil {
					return err
				}
				r, err := fhir.ParseResourceOptions(data, fhir.ParseOptions{Lenient: true})
				if err != nil {
					return fmt.Errorf("%s: %w", resourceFile, err)
				}
				input = r
			}
			out, err := evalFHIRPath(args[0], input, opts)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", out)
			return err
		},
	}
	cmd.Flags().StringVarP(&resourceFile, "resource", "r", "", "the resource to evaluate on (a JSON file)")
	cmd.Flags().BoolVar(&batch, "batch", false, "read JSON lines of resources and expressions from standard input")
	cmd.Flags().BoolVar(&lenient, "lenient", false, "let `as` filter several items, as R4 search parameters assume")
	return cmd
}

func evalFHIRPath(expr string, input fhir.Element, opts []fhirpath.Option) ([]byte, error) {
	e, err := fhirpath.Compile(expr, opts...)
	if err != nil {
		return nil, err
	}
	return evalCompiled(e, input)
}

func evalCompiled(e *fhirpath.Expression, input fhir.Element) ([]byte, error) {
	res, err := e.Evaluate(nil, input)
	if err != nil {
		return nil, err
	}
	return fhirpath.MarshalCollection(res)
}

type batchLine struct {
	Resource   json.RawMessage `json:"resource"`
	Expression string          `json:"expression"`
}

func runFHIRPathBatch(r io.Reader, w io.Writer, opts []fhirpath.Option) error {
	in := bufio.NewScanner(r)
	in.Buffer(make([]byte, 0, 1<<20), 256<<20)
	out := bufio.NewWriter(w)
	defer out.Flush()
	// Batches usually repeat a few expressions over many resources: compile each once.
	compiled := map[string]*fhirpath.Expression{}
	for in.Scan() {
		line := in.Bytes()
		if len(line) == 0 {
			continue
		}
		if len(compiled) > 4096 {
			clear(compiled)
		}
		result, err := batchEval(line, opts, compiled)
		if err != nil {
			msg, _ := json.Marshal(err.Error())
			fmt.Fprintf(out, "{\"error\":%s}\n", msg)
			continue
		}
		fmt.Fprintf(out, "{\"result\":%s}\n", result)
	}
	return in.Err()
}

func batchEval(line []byte, opts []fhirpath.Option, compiled map[string]*fhirpath.Expression) ([]byte, error) {
	var l batchLine
	if err := json.Unmarshal(line, &l); err != nil {
		return nil, fmt.Errorf("invalid input line: %w", err)
	}
	var input fhir.Element
	if len(l.Resource) > 0 && string(l.Resource) != "null" {
		r, err := fhir.ParseResourceOptions(l.Resource, fhir.ParseOptions{Lenient: true})
		if err != nil {
			return nil, err
		}
		input = r
	}
	e, ok := compiled[l.Expression]
	if !ok {
		var err error
		if e, err = fhirpath.Compile(l.Expression, opts...); err != nil {
			return nil, err
		}
		compiled[l.Expression] = e
	}
	return evalCompiled(e, input)
}
