package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newVerifyCmd is a placeholder until the verify subcommand lands.
func newVerifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "(not built yet)",
		RunE: func(*cobra.Command, []string) error {
			return usageError(errors.New("verify: not built yet"))
		},
	}
}
