package main

import (
	"errors"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// exitError ends the process with a specific exit code and an optional one-line message.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

type usageError struct{ error }

// isUsage reports whether err is a command-line usage error. Cobra reports unknown commands
// with an untyped error, so that one case is recognised by its text.
func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u) || strings.HasPrefix(err.Error(), "unknown command")
}

// withUsage wraps a positional-argument validator so its errors count as usage errors.
func withUsage(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "hashi",
		Short: "hashi (橋) — cross-border academic credentials for the EU–Japan pilot",
		Long: `hashi (橋, "bridge") lets universities in the EU and Japan issue diplomas as signed
credentials (SD-JWT VC), students keep them in a wallet, and admissions offices and
employers in the other jurisdiction verify them against EU and Japanese trust lists.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newVersionCmd(), newDemoCmd(), newPKICmd(), newCredentialCmd(), newTrustlistCmd(), newIssuerCmd(), newWalletCmd(), newVerifierCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of hashi",
		Args:  withUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := "devel"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			cmd.Println("hashi " + v)
			return nil
		},
	}
}
