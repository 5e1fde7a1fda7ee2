// SPDX-License-Identifier: LGPL-2.1-or-later

// Command gobuild-fake writes a static directory tree that a plain HTTP server (python3 -m
// http.server) serves as a gobuild service (github.com/mjl-/gobuild) would: a transparency log of
// build records signed with a note key, lookups, tiles and gzip-compressed binaries. It uses Go's
// own golang.org/x/mod/sumdb/note and sumdb/tlog, so upkeep's C verifier is tested against an
// implementation it shares no code with.
//
// Build offline: GO111MODULE=off GOPATH=/usr/share/gocode go build -o gobuild-fake .
// (Debian: golang-go, golang-golang-x-mod-dev.)
//
// Output, below -dir:
//
//	verifier-key                                    the verifier key (also printed on stdout)
//	tlog/latest                                     signed tree head of the whole log
//	tlog/lookup/<key>index.html                     lookup responses (<key> ends in "/", so an
//	                                                HTTP server answers them from index.html)
//	tlog/tile/8/<L>/<N>[.p/<W>]                     full and partial tiles for every published size
//	<key><sum>/<name>-<version>-<goversion>.gz      the binaries, gzip-compressed
//	test/heads/<size>                               signed tree heads of earlier sizes
//	test/records                                    every record, one per line, in log order
//	test/builds                                     "<id> <module> <version> <dir> <goos> <goarch> <goversion>"
//
// The builds are example.com/hello v1.0.0 and v1.1.0 with go1.21.5 and go1.22.0 for linux-amd64
// (ids 0, 3, 255, 256), hello v1.0.0 go1.21.6 linux-amd64 (id 5), hello v1.1.0 go1.22.0 for
// linux-arm64 (id 300) and example.com/other v1.1.0 go1.22.0 linux-amd64 (id 301); filler records
// make up the rest of -records.
//
// -tamper takes a comma-separated list of lies the service tells:
//
//	wrong-key      notes signed by another key of the same name
//	bad-signature  notes carry the right key hash but a corrupted signature
//	other-build    lookups of hello v1.1.0 go1.22.0 linux-amd64 answer with the linux-arm64
//	               record, and of hello v1.0.0 go1.22.0 with example.com/other's
//	bad-binary     the served binaries differ from what the records say
//	fork           record 200 is replaced: every tree of more than 200 records is a fork of
//	               the honest log (generate both with the same -seed)
//	garbage-tiles  every tile is random bytes of the right length
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type build struct {
	id                                            int64
	module, version, dir, goos, goarch, goversion string
}

var builds = []build{
	{0, "example.com/hello", "v1.0.0", "/", "linux", "amd64", "go1.21.5"},
	{3, "example.com/hello", "v1.0.0", "/", "linux", "amd64", "go1.22.0"},
	{255, "example.com/hello", "v1.1.0", "/", "linux", "amd64", "go1.21.5"},
	{256, "example.com/hello", "v1.1.0", "/", "linux", "amd64", "go1.22.0"},
	{300, "example.com/hello", "v1.1.0", "/", "linux", "arm64", "go1.22.0"},
	{301, "example.com/other", "v1.1.0", "/cmd/other", "linux", "amd64", "go1.22.0"},
	// Last, so the lies above keep their indexes: a patch release of the toolchain, for a rebuild of
	// v1.0.0 that no module release prompted.
	{5, "example.com/hello", "v1.0.0", "/", "linux", "amd64", "go1.21.6"},
}

// The same spelling as gobuild's lookup keys and download URLs.
func (b build) key() string {
	dir := ""
	if b.dir != "/" {
		dir = b.dir[1:] + "/"
	}
	return fmt.Sprintf("%s@%s/%s%s-%s-%s/", b.module, b.version, dir, b.goos, b.goarch, b.goversion)
}

func (b build) filename() string {
	base := b.module
	if b.dir != "/" {
		base = b.dir
	}
	return fmt.Sprintf("%s-%s-%s", path.Base(base), b.version, b.goversion)
}

func sum(data []byte) string {
	h := sha256.Sum256(data)
	return "0" + base64.RawURLEncoding.EncodeToString(h[:20])
}

// As gobuild packs a record: nine fields, the last the (empty) variant.
func record(b build, size int, s string) []byte {
	return []byte(fmt.Sprintf("%s %s %s %s %s %s %d %s \n", b.module, b.version, b.dir, b.goos, b.goarch, b.goversion, size, s))
}

// A deterministic stream of bytes, so a seed gives the same keys every time.
type seedReader struct {
	state [32]byte
	buf   []byte
}

func (r *seedReader) Read(p []byte) (int, error) {
	for n := 0; n < len(p); {
		if len(r.buf) == 0 {
			r.state = sha256.Sum256(r.state[:])
			r.buf = r.state[:]
		}
		k := copy(p[n:], r.buf)
		r.buf = r.buf[k:]
		n += k
	}
	return len(p), nil
}

type hashStore []tlog.Hash

func (s hashStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x >= int64(len(s)) {
			return nil, fmt.Errorf("hash %d not stored", x)
		}
		out[i] = s[x]
	}
	return out, nil
}

func write(dir, name string, data []byte) {
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		log.Fatal(err)
	}
}

func gz(data []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

func main() {
	dir := flag.String("dir", "", "directory to write the service tree into (required)")
	seed := flag.String("seed", "upkeep", "seed for the keys and filler records")
	name := flag.String("name", "gobuild.test", "name of the log's signing key")
	nrecords := flag.Int64("records", 520, "number of records in the log (at least 302)")
	binary := flag.String("binary", "", "file whose content starts every binary (default: a small shell script)")
	tamper := flag.String("tamper", "", "comma-separated lies: wrong-key, bad-signature, other-build, bad-binary, fork, garbage-tiles")
	flag.Parse()
	if *dir == "" || *nrecords < 302 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	lies := map[string]bool{}
	for _, t := range strings.Split(*tamper, ",") {
		switch t {
		case "":
		case "wrong-key", "bad-signature", "other-build", "bad-binary", "fork", "garbage-tiles":
			lies[t] = true
		default:
			log.Fatalf("unknown -tamper %q", t)
		}
	}

	keyRand := &seedReader{state: sha256.Sum256([]byte("key " + *seed))}
	skey, vkey, err := note.GenerateKey(keyRand, *name)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		log.Fatal(err)
	}
	if lies["wrong-key"] {
		otherKey, _, err := note.GenerateKey(&seedReader{state: sha256.Sum256([]byte("other " + *seed))}, *name)
		if err != nil {
			log.Fatal(err)
		}
		if signer, err = note.NewSigner(otherKey); err != nil {
			log.Fatal(err)
		}
	}
	sign := func(text []byte) []byte {
		msg, err := note.Sign(&note.Note{Text: string(text)}, signer)
		if err != nil {
			log.Fatal(err)
		}
		if lies["bad-signature"] {
			// Change a symbol inside the signature's base64, past the key hash in front.
			i := bytes.LastIndex(msg, []byte(" ")) + 1 + 12
			if msg[i] == 'A' {
				msg[i] = 'B'
			} else {
				msg[i] = 'A'
			}
		}
		return msg
	}

	prefix := []byte{}
	if *binary != "" {
		if prefix, err = os.ReadFile(*binary); err != nil {
			log.Fatal(err)
		}
	} else {
		prefix = []byte("#!/bin/sh\necho hello\n")
	}

	// The records, in log order.
	records := make([][]byte, *nrecords)
	binaries := map[int64][]byte{}
	for _, b := range builds {
		content := append(append([]byte{}, prefix...), fmt.Sprintf("\n#gobuild-fake %s@%s %s %s-%s\n", b.module, b.version, b.goversion, b.goos, b.goarch)...)
		binaries[b.id] = content
		records[b.id] = record(b, len(content), sum(content))
	}
	for i := range records {
		if records[i] != nil {
			continue
		}
		f := build{int64(i), "example.com/filler", fmt.Sprintf("v0.%d.0", i), fmt.Sprintf("/cmd/f%d", i), "linux", "amd64", "go1.22.0"}
		fake := []byte(fmt.Sprintf("%s filler %d", *seed, i))
		if lies["fork"] && i == 200 {
			f.module = "example.com/evil"
		}
		records[i] = record(f, 1000+i, sum(fake))
	}

	// The log: stored hashes as a gobuild server keeps them.
	var stored hashStore
	for i, r := range records {
		hs, err := tlog.StoredHashes(int64(i), r, stored)
		if err != nil {
			log.Fatal(err)
		}
		stored = append(stored, hs...)
	}

	head := func(n int64) []byte {
		h, err := tlog.TreeHash(n, stored)
		if err != nil {
			log.Fatal(err)
		}
		return sign(tlog.FormatTree(tlog.Tree{N: n, Hash: h}))
	}

	// Heads for a spread of sizes: one record, partial and full level-0 tiles, the first level-1
	// hash, and with enough records the first level-2 hash.
	sizes := map[int64]bool{*nrecords: true}
	for _, n := range []int64{1, 2, 4, 7, 201, 255, 256, 257, 302, 400, 511, 512, 513, 65535, 65536, 65537} {
		if n <= *nrecords {
			sizes[n] = true
		}
	}
	var sorted []int64
	for n := range sizes {
		sorted = append(sorted, n)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })

	rng := rand.New(rand.NewSource(1))
	tiles := map[string]bool{}
	old := int64(0)
	for _, n := range sorted {
		write(*dir, "test/heads/"+strconv.FormatInt(n, 10), head(n))
		// Every tile a client of a tree of n records may ask for, including the partial ones.
		for _, t := range tlog.NewTiles(8, old, n) {
			p := t.Path()
			if tiles[p] {
				continue
			}
			tiles[p] = true
			data, err := tlog.ReadTileData(t, stored)
			if err != nil {
				log.Fatal(err)
			}
			if lies["garbage-tiles"] {
				rng.Read(data)
			}
			write(*dir, "tlog/"+p, data)
		}
		old = n
	}
	latest := head(*nrecords)
	write(*dir, "tlog/latest", latest)

	var manifest, all bytes.Buffer
	for _, r := range records {
		all.Write(r)
	}
	for _, b := range builds {
		id := b.id
		if lies["other-build"] {
			switch b.key() {
			case builds[3].key():
				id = builds[4].id
			case builds[1].key():
				id = builds[5].id
			}
		}
		msg, err := tlog.FormatRecord(id, records[id])
		if err != nil {
			log.Fatal(err)
		}
		write(*dir, "tlog/lookup/"+b.key()+"index.html", append(msg, latest...))

		content := binaries[b.id]
		if lies["bad-binary"] {
			content = append([]byte{}, content...)
			content[len(content)-2] ^= 1
		}
		write(*dir, b.key()+sum(binaries[b.id])+"/"+b.filename()+".gz", gz(content))
		fmt.Fprintf(&manifest, "%d %s %s %s %s %s %s\n", b.id, b.module, b.version, b.dir, b.goos, b.goarch, b.goversion)
	}
	write(*dir, "test/records", all.Bytes())
	write(*dir, "test/builds", manifest.Bytes())
	write(*dir, "verifier-key", []byte(vkey+"\n"))

	if _, err := io.WriteString(os.Stdout, vkey+"\n"); err != nil {
		log.Fatal(err)
	}
}
