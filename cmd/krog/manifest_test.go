package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/krog-advisor/krog/bot"
)

// Both Slack app manifests ask for exactly the scopes the install flow asks for, and the
// distribution one sends Slack to krog's own endpoints and uninstall events.
func TestManifestsMatchTheInstallFlow(t *testing.T) {
	want := strings.Split(bot.BotScopes, ",")
	slices.Sort(want)
	for _, path := range []string{"../../slack-manifest.yaml", "../../slack-manifest.distribution.yaml"} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			OAuth struct {
				Redirects []string `yaml:"redirect_urls"`
				Scopes    struct {
					Bot []string `yaml:"bot"`
				} `yaml:"scopes"`
			} `yaml:"oauth_config"`
			Settings struct {
				Events struct {
					URL    string   `yaml:"request_url"`
					Events []string `yaml:"bot_events"`
				} `yaml:"event_subscriptions"`
			} `yaml:"settings"`
		}
		if err := yaml.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		got := slices.Clone(m.OAuth.Scopes.Bot)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s asks for %v, the install flow for %v", path, got, want)
		}
		if strings.Contains(path, "distribution") {
			if len(m.OAuth.Redirects) != 1 || !strings.HasSuffix(m.OAuth.Redirects[0], "/slack/oauth_redirect") || !strings.HasSuffix(m.Settings.Events.URL, "/slack/events") {
				t.Errorf("%s: redirect %v, events %q", path, m.OAuth.Redirects, m.Settings.Events.URL)
			}
			for _, ev := range []string{"app_uninstalled", "tokens_revoked"} {
				if !slices.Contains(m.Settings.Events.Events, ev) {
					t.Errorf("%s does not subscribe to %s", path, ev)
				}
			}
		}
	}
}

// Every variable the command line reads is in .env.example (the README says so).
func TestEnvExampleListsEveryVariable(t *testing.T) {
	example, err := os.ReadFile("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	read := regexp.MustCompile(`(?:getenv|get)\("([A-Z][A-Z0-9_]+)"\)|\{"([A-Z][A-Z0-9_]+)", &`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			name := m[1] + m[2]
			seen++
			if !regexp.MustCompile(`(?m)^` + name + `=`).Match(example) {
				t.Errorf("%s reads %s, which .env.example does not list", f, name)
			}
		}
	}
	if seen < 20 {
		t.Errorf("found only %d variable reads: the pattern no longer matches the code", seen)
	}
}
