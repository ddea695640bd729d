package main

import (
	"fmt"

	"github.com/oauthconf/oauthconf/profile"
	"github.com/spf13/cobra"
)

func newProfilesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profiles",
		Short: "List the built-in target profiles, or print one as a starting point for your own",
		Long: `List the built-in profiles (ucommerce, shopware, elasticpath, rfc6749), or print one:

  oauthconf profiles
  oauthconf profiles show rfc6749 > myvendor.yaml   # then edit paths, grants, literals

See docs/profiles.md for every field.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, name := range profile.Builtin() {
				p, err := profile.Load(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-12s %s\n", name, p.Title)
			}
			return nil
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME",
		Short: "Print a built-in profile's YAML",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := profile.BuiltinYAML(args[0])
			if err != nil {
				return usageError(err)
			}
			_, err = cmd.OutOrStdout().Write(data)
			return err
		},
	})
	return cmd
}
