// Command joinedup is the joinedup health record platform: a FHIR R4 (UK Core) server and
// its tools. See "Interfaces that stay stable" in DESIGN.md for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		os.Exit(exitCode(err))
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "joinedup",
		Short:         "joinedup: an open-standards FHIR R4 (UK Core) health record platform",
		SilenceUsage:  true,
		SilenceErrors: false,
	}
	root.SetErrPrefix(fmt.Sprintf("%s:", root.Use))
	root.AddCommand(
		newServeCmd(),
		newBackupCmd(),
		newSynthCmd(),
		newBenchCmd(),
		newImportCmd(),
		newTerminologyCmd(),
		newValidateCmd(),
		newFHIRPathCmd(),
		newConvertCmd(),
	)
	return root
}
