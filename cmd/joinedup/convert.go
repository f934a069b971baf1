package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/joinedup/joinedup/fhir"
	"github.com/spf13/cobra"
)

// newConvertCmd is `joinedup convert --to json|xml FILE…` (DESIGN.md, "Interfaces that stay
// stable"): FHIR JSON to XML and back, strictly, so that what arrives is what left.
func newConvertCmd() *cobra.Command {
	var to, outDir string
	var compact bool
	cmd := &cobra.Command{
		Use:   "convert --to json|xml FILE... [--out DIR]",
		Short: "Convert FHIR resources between JSON and XML",
		Long: `Convert FHIR R4 resources between JSON and XML. Each FILE's format is told by its
content; "-" reads standard input. The converted resource goes to standard output, or,
with --out, to DIR under the file's name with the new extension. Reading is strict: a
file that is not valid FHIR is reported and not converted (exit status 1).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if to != "json" && to != "xml" {
				return fmt.Errorf("--to must be json or xml, not %q", to)
			}
			if outDir == "" && len(args) > 1 {
				return errors.New("several files need --out DIR")
			}
			if outDir != "" {
				if err := os.MkdirAll(outDir, 0o755); err != nil {
					return err
				}
			}
			failed := 0
			for _, name := range args {
				out, err := convertFile(cmd.InOrStdin(), name, to, compact)
				if err == nil {
					err = writeConverted(cmd.OutOrStdout(), outDir, name, to, out)
				}
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", name, err)
					failed++
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d files not converted", failed, len(args))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the format to write: json or xml")
	cmd.Flags().StringVar(&outDir, "out", "", "write each converted file into DIR instead of standard output")
	cmd.Flags().BoolVar(&compact, "compact", false, "write without indentation")
	_ = cmd.MarkFlagRequired("to")
	return cmd
}

// convertFile reads one resource in either format and writes it in format to.
func convertFile(stdin io.Reader, name, to string, compact bool) ([]byte, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	var r fhir.Resource
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(trimmed, []byte("<")):
		r, err = fhir.ParseResourceXML(data)
	case bytes.HasPrefix(trimmed, []byte("{")):
		r, err = fhir.ParseResource(data)
	default:
		return nil, errors.New("neither FHIR JSON nor FHIR XML")
	}
	if err != nil {
		return nil, err
	}
	var out []byte
	switch {
	case to == "json" && compact:
		out, err = fhir.MarshalResource(r)
	case to == "json":
		out, err = fhir.MarshalResourceIndent(r, "", "  ")
	case compact:
		out, err = fhir.MarshalResourceXML(r)
	default:
		out, err = fhir.MarshalResourceXMLIndent(r, "  ")
	}
	if err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	return out, nil
}

func writeConverted(stdout io.Writer, outDir, name, to string, out []byte) error {
	if outDir == "" {
		_, err := stdout.Write(out)
		return err
	}
	base := "stdin"
	if name != "-" {
		base = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	return os.WriteFile(filepath.Join(outDir, base+"."+to), out, 0o644)
}
