// Command hashi runs the EU–Japan academic-credential pilot: the issuer, wallet and verifier
// services, the one-process demo, the pilot PKI, trust lists, and credential inspection and
// verification.
package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the process exit code: 0 on success, 1 when
// a check or command failed, 2 on a usage error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		if e, ok := errors.AsType[exitError](err); ok {
			if e.msg != "" {
				_, _ = io.WriteString(stderr, "hashi: "+e.msg+"\n")
			}
			return e.code
		}
		_, _ = io.WriteString(stderr, "hashi: "+err.Error()+"\n")
		if isUsage(err) {
			return 2
		}
		return 1
	}
	return 0
}
