package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/joinedup/joinedup/internal/store/sqlite"
)

// newBackupCmd takes a consistent online copy of the embedded store.
func newBackupCmd() *cobra.Command {
	var data string
	cmd := &cobra.Command{
		Use:   "backup FILE [--data DIR]",
		Short: "Write a consistent copy of the embedded store to FILE (safe while the server runs)",
		Long: `backup copies the embedded store in --data to FILE while it may be in use. To restore,
start the server on the copy: joinedup serve --data FILE (or put it in an empty directory as
` + sqlite.FileName + ` and use --data DIR).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBackup(cmd, data, args[0])
		},
	}
	cmd.Flags().StringVar(&data, "data", "./joinedup-data", "data directory (or database file) of the embedded store")
	return cmd
}

func runBackup(cmd *cobra.Command, data, file string) error {
	if _, err := os.Stat(data); err != nil {
		return fmt.Errorf("backup: no store at %s: %w", data, err)
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("backup: %s exists; choose a new file", file)
	}
	logger := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := sqlite.Open(data, sqlite.Options{Logger: logger})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer st.Close()
	if err := st.Backup(cmd.Context(), file); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "backed up %s to %s\n", data, file)
	return nil
}
