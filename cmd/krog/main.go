// Command krog is a circular-economy advisor: it answers questions about circular-economy strategy,
// regulation, barriers and industrial symbiosis from a curated, embedded knowledge base, in the
// terminal and in Slack. Run `krog help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err (if any) and maps it to krog's exit codes: 0 success, 1 failure,
// 2 usage error.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "krog:", ue.msg)
		if ue.hint != "" {
			fmt.Fprintln(stderr, ue.hint)
		}
		return 2
	}
	var se silentError
	if errors.As(err, &se) {
		return 1
	}
	fmt.Fprintln(stderr, "krog:", err)
	return 1
}
