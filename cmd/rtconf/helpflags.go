package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// The CLI library's help and version flags and its help command are
// package variables it appends to every app and command and writes to as
// it parses: two runs at once would share them. Every app built by newApp
// hides them and carries its own copies instead, with the same names,
// texts and behaviour, so that run may be called concurrently.

func helpFlag() cli.Flag {
	return &cli.BoolFlag{Name: "help", Aliases: []string{"h"}, Usage: "show help", DisableDefaultText: true}
}

func versionFlag() cli.Flag {
	return &cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print the version", DisableDefaultText: true}
}

// helpCommand is the library's help command: "help [command]".
func helpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Aliases:   []string{"h"},
		Usage:     "Shows a list of commands or help for one command",
		ArgsUsage: "[command]",
		HideHelp:  true,
		Action: func(c *cli.Context) error {
			parent := c.Lineage()[1]
			if first := c.Args().First(); first != "" {
				return cli.ShowCommandHelp(parent, first)
			}
			if parent.Command == nil || parent.Command.Name == "" || len(parent.Lineage()) <= 2 && parent.App != nil && parent.Command.Name == parent.App.Name {
				return cli.ShowAppHelp(parent)
			}
			return cli.ShowSubcommandHelp(parent)
		},
	}
}

// ownHelp gives the app and every command its own help flag (and the app
// its version flag and help command, every parent command its help
// command), in the places the library would append its shared ones.
func ownHelp(app *cli.App) {
	app.HideHelp, app.HideVersion = true, true
	// The app's help shows its version as it did before HideVersion.
	app.CustomAppHelpTemplate = strings.ReplaceAll(cli.AppHelpTemplate, "{{if not .HideVersion}}", "{{if true}}")
	app.Commands = append(app.Commands, helpCommand())
	app.Flags = append(app.Flags, helpFlag(), versionFlag())
	ownCommandHelp(app.Commands)
}

func ownCommandHelp(cmds []*cli.Command) {
	for _, c := range cmds {
		if c.Name == "help" {
			continue
		}
		c.HideHelp = true
		if len(c.Subcommands) > 0 {
			c.Subcommands = append(c.Subcommands, helpCommand())
		} else if c.CustomHelpTemplate == "" {
			c.CustomHelpTemplate = cli.SubcommandHelpTemplate
		}
		c.Flags = append(c.Flags, helpFlag())
		ownCommandHelp(c.Subcommands)
	}
}
