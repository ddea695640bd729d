package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newLoadCmd is a placeholder until the load subcommand lands.
func newLoadCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "load",
		Short: "(not built yet)",
		RunE: func(*cobra.Command, []string) error {
			return usageError(errors.New("load: not built yet"))
		},
	}
}
