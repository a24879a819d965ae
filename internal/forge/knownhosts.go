package forge

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// HostsFile is the name of the known-hosts file in KnownHosts.Dir.
const HostsFile = "hosts.yml"

// maxHostsFile bounds what is read of the known-hosts file.
const maxHostsFile = 1 << 20

// KnownHosts are the self-managed Git hosts (GitHub Enterprise Server,
// GitLab self-managed, …) that the user has
// confirmed rtconf may send their tokens to, kept in Dir/hosts.yml (the
// CLI passes os.UserConfigDir()/rtconf), as gh keeps its hosts. github.com
// needs no confirmation.
type KnownHosts struct {
	// Dir holds hosts.yml; "" means no file: nothing is confirmed yet and a
	// confirmation holds for this run only.
	Dir string
	// Prompt and Answer are the user's terminal. A host not yet confirmed
	// is asked about once (y/N); when they are nil (no terminal) it is
	// refused.
	Prompt io.Writer
	Answer io.Reader
}

// UnconfirmedHostError is a self-managed Git host the user has not
// confirmed, met where rtconf cannot ask (no terminal) or refused.
type UnconfirmedHostError struct {
	Host, APIURL string
	Kind         string // what the host runs: "GitHub Enterprise Server"
	File         string // the known-hosts file, "" when there is none
	Declined     bool   // the user answered no
}

func (e *UnconfirmedHostError) Error() string {
	if e.Declined {
		return fmt.Sprintf("not confirmed: no token was sent to %s (the host of repository.url)", e.Host)
	}
	kept := ""
	if e.File != "" {
		kept = ", which keeps it in " + e.File
	}
	return fmt.Sprintf("refusing to send the token to %s: %s, the host of repository.url in rtconf.yaml, is a %s host you have not confirmed, "+
		"and a pull request can change rtconf.yaml (run the command once on a terminal to confirm the host%s, or pass --api-url %s)",
		e.APIURL, e.Host, e.Kind, kept, e.APIURL)
}

// File is the path of the known-hosts file, or "".
func (k KnownHosts) File() string {
	if k.Dir == "" {
		return ""
	}
	return filepath.Join(k.Dir, HostsFile)
}

// Confirm returns nil when host, which runs kind ("GitHub Enterprise
// Server"), may receive tokens at apiURL: it is recorded, or the user
// confirms it now (and it is recorded).
func (k KnownHosts) Confirm(host, apiURL, kind string) error {
	hosts, err := k.read()
	if err != nil {
		return err
	}
	if slices.Contains(hosts, host) {
		return nil
	}
	if k.Prompt == nil || k.Answer == nil {
		return &UnconfirmedHostError{Host: host, APIURL: apiURL, Kind: kind, File: k.File()}
	}
	where := "for this run only: rtconf has no configuration directory to keep it in"
	if k.File() != "" {
		where = "kept in " + k.File()
	}
	fmt.Fprintf(k.Prompt, "rtconf is about to send your token to %s, the API of %s, the host of repository.url in rtconf.yaml.\n"+
		"No token has been sent to %s before. Trust this %s host (%s)? [y/N] ", apiURL, host, host, kind, where)
	line, err := bufio.NewReader(k.Answer).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read the answer: %w", err)
	}
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return &UnconfirmedHostError{Host: host, APIURL: apiURL, Kind: kind, File: k.File(), Declined: true}
	}
	if k.Dir == "" {
		return nil
	}
	return k.write(append(hosts, host))
}

// hostsDoc is the known-hosts file.
type hostsDoc struct {
	Hosts []string `yaml:"hosts"`
}

func (k KnownHosts) read() ([]string, error) {
	if k.Dir == "" {
		return nil, nil
	}
	f, err := os.Open(k.File())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the known hosts: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxHostsFile+1))
	if err != nil {
		return nil, fmt.Errorf("read the known hosts: %w", err)
	}
	var doc hostsDoc
	if len(data) > maxHostsFile {
		err = errors.New("larger than 1 MiB")
	} else {
		err = yaml.Unmarshal(data, &doc)
	}
	if err != nil {
		return nil, fmt.Errorf("read the known hosts %s: %w (fix the file, or delete it to confirm the hosts again)", k.File(), err)
	}
	hosts := make([]string, 0, len(doc.Hosts))
	for _, h := range doc.Hosts {
		hosts = append(hosts, strings.ToLower(strings.TrimSpace(h)))
	}
	return hosts, nil
}

// write replaces the known-hosts file, through a temporary file and a
// rename, readable by the user alone.
func (k KnownHosts) write(hosts []string) error {
	slices.Sort(hosts)
	hosts = slices.Compact(hosts)
	out, err := yaml.Marshal(hostsDoc{Hosts: hosts})
	if err != nil {
		return err
	}
	data := append([]byte("# Self-managed Git hosts you confirmed that rtconf may send your tokens to.\n"+
		"# Remove a host to be asked again.\n"), out...)
	if err := os.MkdirAll(k.Dir, 0o700); err != nil {
		return fmt.Errorf("record the confirmed host: %w", err)
	}
	tmp, err := os.CreateTemp(k.Dir, "."+HostsFile+"-*")
	if err != nil {
		return fmt.Errorf("record the confirmed host: %w", err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("record the confirmed host in %s: %w", k.File(), err)
	}
	if err := os.Rename(tmp.Name(), k.File()); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("record the confirmed host in %s: %w", k.File(), err)
	}
	return nil
}
