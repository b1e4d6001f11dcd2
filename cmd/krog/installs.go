package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

const installsAbout = `List the Slack workspaces krog was installed in through its install page (GET /slack/install):
workspace, when, by whom and with which scopes. Tokens are never shown (they are kept sealed).
Reads the store krog serve writes (KROG_DB).`

func cmdInstalls(e *env, args []string) error {
	fs := newFlags(e, "installs", "[--db FILE]", installsAbout)
	db := fs.String("db", "", "the store: a SQLite `FILE` or a postgres:// URL (env KROG_DB, default ./krog.db)")
	envFile := fs.String("env-file", ".env", "read variables from `FILE` if it exists (variables already set win)")
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return &usageError{msg: fmt.Sprintf("installs takes no arguments, got %q", strings.Join(rest, " ")), hint: "Run `krog installs -h` for its flags."}
	}
	e, err = e.withDotenv(*envFile)
	if err != nil {
		return err
	}
	st, err := openStore(e, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	all, err := st.Installations(e.ctx)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		fmt.Fprintf(e.stdout, "No workspace has installed krog through its install page (%s).\n", st.Name())
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKSPACE\tID\tINSTALLED\tBY\tSCOPES")
	for _, in := range all {
		name := in.TeamName
		if in.OrgWide {
			name = in.EnterpriseName + " (whole organisation)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, in.ID, in.InstalledAt.UTC().Format("2006-01-02 15:04 UTC"), in.Installer, in.Scopes)
	}
	return tw.Flush()
}
