package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// examples are the EXAMPLES section of each command's help, by the
// command's path: real command lines, run from the repository unless they
// say where.
var examples = map[string][]string{
	"": {
		"rtconf init --demo ./demo-config",
		"rtconf validate --dir ./demo-config",
		"rtconf seal runtime-token --runtime production --token-file token.txt",
	},
	"init": {
		"rtconf init --demo ./demo-config",
		"rtconf init ./shared-config --repo https://github.com/acme/shared-config --runtime prod --user alice",
		"rtconf init ./shared-config --repo https://github.com/acme/shared-config --runtime prod --create --push --protect --token-env GITHUB_TOKEN",
	},
	"generate": {
		"rtconf generate",
		"rtconf generate --dry-run ./shared-config",
	},
	"seal": {
		"rtconf seal runtime-token --runtime prod --token-file runtime-token.txt",
		"rtconf seal user-token --runtime prod --user alice --token-env ALICE_TOKEN",
	},
	"seal runtime-token": {
		"rtconf seal runtime-token --runtime prod --token-file runtime-token.txt",
		"gh auth token | rtconf seal runtime-token --runtime prod",
		"rtconf seal runtime-token --runtime prod --cert https://sealed-secrets.example.com/v1/cert.pem --accept-new-cert --token-env RUNTIME_TOKEN",
		"rtconf seal runtime-token --runtime prod --runtime staging --token-env ROBOT_TOKEN",
		"rtconf seal runtime-token --all-runtimes --token-file robot-token.txt --dry-run",
	},
	"seal github-app": {
		"rtconf seal github-app --runtime prod --app-id 123456 --private-key-file rtconf-acme.private-key.pem",
		"rtconf seal github-app --runtime prod --app-id 123456 --installation-id 7890 --private-key-env APP_KEY --replace",
	},
	"seal user-token": {
		"rtconf seal user-token --runtime prod --user alice --token-file alice-token.txt",
	},
	"cert": {
		"rtconf cert pin --cert sealed-secrets.pem",
	},
	"cert pin": {
		"rtconf cert pin --from-cluster --context prod",
		"kubeseal --fetch-cert > sealed-secrets.pem && rtconf cert pin --cert sealed-secrets.pem",
		"rtconf cert pin --cert https://sealed-secrets.example.com/v1/cert.pem --path certs/prod.pem",
	},
	"status": {
		"rtconf status",
		"rtconf status --format json --dir ./shared-config",
		"rtconf status --cluster --context prod",
	},
	"apply": {
		"rtconf apply --runtime prod --context prod",
		"rtconf apply --runtime prod --dry-run",
		"rtconf apply --all-runtimes --timeout 10m --format json",
	},
	"validate": {
		"rtconf validate",
		"rtconf validate --strict --format github --output sarif=rtconf.sarif",
		"rtconf validate --shard 2/4 --output json=shard-2.json",
	},
	"gather": {
		"rtconf gather --shards 3 shard-1.json shard-2.json shard-3.json",
		"rtconf gather --format github --output sarif=rtconf.sarif shard-*.json",
	},
	"token": {
		"rtconf token check --kind runtime --token-env GITHUB_TOKEN",
		"rtconf token expiry --within 30d",
		"rtconf token rotate --runtime prod --token-file new-token.txt --pr",
	},
	"token check": {
		"rtconf token check --kind runtime --token-file runtime-token.txt",
		"rtconf token check --kind user --repo acme/shared-config --token-env GITHUB_TOKEN --format json",
		"rtconf token check --github-app --app-id 123456 --private-key-file rtconf-acme.private-key.pem",
	},
	"token rotate": {
		"rtconf token rotate --runtime prod --token-file new-token.txt",
		"rtconf token rotate --runtime prod --user alice --token-file alice-new.txt --pr --git-token-env GITHUB_TOKEN",
		"rtconf token rotate --all-runtimes --token-file robot-new.txt --pr",
	},
	"token expiry": {
		"rtconf token expiry",
		"rtconf token expiry --within 30d --format markdown",
	},
	"schema": {
		"rtconf schema > rtconf.schema.json",
	},
	"runtime": {
		"rtconf runtime add staging --user alice",
		"rtconf runtime remove staging --yes",
	},
	"runtime add": {
		"rtconf runtime add staging",
		"rtconf runtime add staging --namespace argo-staging --server https://staging.example.com:6443 --user alice --pr --token-env GITHUB_TOKEN",
	},
	"runtime remove": {
		"rtconf runtime remove staging --dry-run --diff",
		"rtconf runtime remove staging",
		"rtconf runtime remove staging --yes --pr --token-env GITHUB_TOKEN",
	},
	"cluster": {
		"rtconf cluster add edge-1 https://edge-1.example.com:6443 --runtime prod",
		"rtconf cluster remove edge-1 --runtime prod",
	},
	"cluster add": {
		"rtconf cluster add edge-1 https://edge-1.example.com:6443 --runtime prod",
		"rtconf cluster add edge-1 https://edge-1.example.com:6443 --runtime prod --pr --token-env GITHUB_TOKEN",
	},
	"cluster remove": {
		"rtconf cluster remove edge-1 --runtime prod",
	},
	"user": {
		"rtconf user add carol --runtime prod",
		"rtconf user remove carol --runtime prod --yes",
	},
	"user add": {
		"rtconf user add carol --runtime prod",
		"rtconf user add carol --runtime prod --dry-run --diff",
		"rtconf user add carol --runtime prod --pr --token-env GITHUB_TOKEN",
	},
	"user remove": {
		"rtconf user remove carol --runtime prod",
		"rtconf user remove carol --runtime prod --yes --pr --token-env GITHUB_TOKEN",
	},
	"version": {
		"rtconf version",
	},
	"completion": {
		"source <(rtconf completion bash)",
		"rtconf completion zsh > \"${fpath[1]}/_rtconf\"",
		"rtconf completion fish > ~/.config/fish/completions/rtconf.fish",
	},
}

// withExamples puts the EXAMPLES section of path into a help description,
// before its EXIT CODES.
func withExamples(description, path string) string {
	lines := examples[path]
	if len(lines) == 0 {
		return description
	}
	section := "EXAMPLES:\n   " + strings.Join(lines, "\n   ")
	before, after, ok := strings.Cut(description, "EXIT CODES:")
	switch {
	case ok:
		return before + section + "\n\nEXIT CODES:" + after
	case description == "":
		return section
	default:
		return strings.TrimRight(description, "\n") + "\n\n" + section
	}
}

// addExamples gives the app and every command its EXAMPLES.
func addExamples(app *cli.App) {
	app.Description = withExamples(app.Description, "")
	var walk func(parent string, cmds []*cli.Command)
	walk = func(parent string, cmds []*cli.Command) {
		for _, c := range cmds {
			path := strings.TrimSpace(parent + " " + c.Name)
			if c.Description == "" && len(c.Subcommands) > 0 {
				c.Description = "Run 'rtconf " + path + " COMMAND --help' for a command's flags and examples."
			}
			c.Description = withExamples(c.Description, path)
			walk(path, c.Subcommands)
		}
	}
	walk("", app.Commands)
}
