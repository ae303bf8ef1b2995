// tlog-check: an independent checker of the audit log's transparency-log
// artefacts, built on Go's own golang.org/x/mod/sumdb/tlog and sumdb/note
// (the code behind Go's checksum database), so that our tiles, notes and
// proofs are checked by an implementation this project did not write.
//
// Usage:
//
//	tlog-check store DIR VKEY [WITNESS_VKEY... -quorum K]
//	    every checkpoints/*.note opens with the log key (note.Open); its root is
//	    recomputed from the tiles under DIR (tlog.TileHashReader, Go's tile/8/L/N
//	    read from our tile/L/N) and must equal the signed root; every entry under
//	    entries/ and every record in tile/entries/ bundles hashes (tlog.RecordHash)
//	    to its leaf in the tiles; consecutive checkpoints are consistent
//	    (tlog.ProveTree, tlog.CheckTree).
//	tlog-check proof PROOF RECORD VKEY [WITNESS_VKEY... -quorum K]
//	    a c2sp.org/tlog-proof@v1 file: note.Open on its checkpoint, then
//	    tlog.CheckRecord of its inclusion path for RECORD's bytes.
//	tlog-check consistency BODY OLDNOTE VKEY
//	    a tlog-witness add-checkpoint body: its consistency proof, from the
//	    checkpoint OLDNOTE to the one in BODY, with tlog.CheckTree.
//
// Prints one line per check; exits 1 at the first failure, 2 for bad usage.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: tlog-check store DIR VKEY [WITNESS_VKEY... -quorum K] | proof PROOF RECORD VKEY [WITNESS_VKEY... -quorum K] | consistency BODY OLDNOTE VKEY")
	os.Exit(2)
}

// checkpoint is a C2SP tlog-checkpoint body: origin, size, root.
type checkpoint struct {
	origin string
	tree   tlog.Tree
}

func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 || !strings.HasSuffix(text, "\n") {
		return checkpoint{}, errors.New("not a checkpoint: fewer than three lines")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("bad tree size %q", lines[1])
	}
	h, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, fmt.Errorf("bad root hash %q", lines[2])
	}
	return checkpoint{origin: lines[0], tree: tlog.Tree{N: n, Hash: h}}, nil
}

// cosigVerifier checks C2SP tlog-cosignature v1 Ed25519 signatures (type
// 0x04), which Go's note package does not know: crypto/ed25519 over
// "cosignature/v1\ntime <t>\n" + text.
type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 72 {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	m := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	return ed25519.Verify(v.key, m, sig[8:])
}

func newCosigVerifier(vkey string) (*cosigVerifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("bad witness vkey %q", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		return nil, fmt.Errorf("witness vkey %q is not an Ed25519 cosignature key (type 0x04)", vkey)
	}
	h := sha256.Sum256(append(append([]byte(parts[0]), '\n', 0x04), raw[1:]...))
	id := binary.BigEndian.Uint32(h[:4])
	if fmt.Sprintf("%08x", id) != parts[1] {
		return nil, fmt.Errorf("witness vkey %q: key ID does not match", vkey)
	}
	return &cosigVerifier{name: parts[0], hash: id, key: ed25519.PublicKey(raw[1:])}, nil
}

type keys struct {
	log       note.Verifier
	witnesses []*cosigVerifier
	quorum    int
}

func parseKeys(args []string) keys {
	if len(args) < 1 {
		usage()
	}
	v, err := note.NewVerifier(args[0])
	if err != nil {
		fail("log vkey: %v", err)
	}
	k := keys{log: v}
	for i := 1; i < len(args); i++ {
		if args[i] == "-quorum" && i+1 < len(args) {
			q, err := strconv.Atoi(args[i+1])
			if err != nil {
				usage()
			}
			k.quorum = q
			i++
			continue
		}
		w, err := newCosigVerifier(args[i])
		if err != nil {
			fail("%v", err)
		}
		k.witnesses = append(k.witnesses, w)
	}
	return k
}

// openCheckpoint opens a checkpoint note with note.Open: the log key must
// have signed it; with witnesses, at least quorum of them must have cosigned.
func openCheckpoint(msg []byte, k keys) (checkpoint, error) {
	list := []note.Verifier{k.log}
	for _, w := range k.witnesses {
		list = append(list, w)
	}
	n, err := note.Open(msg, note.VerifierList(list...))
	if err != nil {
		return checkpoint{}, err
	}
	logSigned := false
	cosigned := map[string]bool{}
	for _, s := range n.Sigs {
		if s.Name == k.log.Name() && s.Hash == k.log.KeyHash() {
			logSigned = true
			continue
		}
		for _, w := range k.witnesses {
			if s.Name == w.name && s.Hash == w.hash {
				cosigned[string(w.key)] = true
			}
		}
	}
	if !logSigned {
		return checkpoint{}, errors.New("not signed by the log key")
	}
	if len(cosigned) < k.quorum {
		return checkpoint{}, fmt.Errorf("%d witness cosignature(s), quorum %d", len(cosigned), k.quorum)
	}
	cp, err := parseCheckpoint(n.Text)
	if err != nil {
		return checkpoint{}, err
	}
	if cp.origin != k.log.Name() {
		return checkpoint{}, fmt.Errorf("origin %q is not the key name %q", cp.origin, k.log.Name())
	}
	return cp, nil
}

// dirTiles reads tiles of height 8 from DIR, where C2SP tlog-tiles keeps
// them: Go's tile/8/L/N path without the height.
type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return 8 }
func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		p := "tile/" + strings.TrimPrefix(t.Path(), "tile/8/")
		b, err := os.ReadFile(filepath.Join(d.dir, p))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}
func (d dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

func readBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("cut-off length prefix")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return nil, errors.New("cut-off record")
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out, nil
}

func checkStore(dir string, k keys) {
	notes, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*.note"))
	sort.Strings(notes)
	if len(notes) == 0 {
		fail("no checkpoints/*.note in %s", dir)
	}
	var prev *checkpoint
	var newest checkpoint
	for _, p := range notes {
		msg, err := os.ReadFile(p)
		if err != nil {
			fail("%v", err)
		}
		cp, err := openCheckpoint(msg, k)
		if err != nil {
			fail("%s: %v", filepath.Base(p), err)
		}
		want := strings.TrimSuffix(filepath.Base(p), ".note")
		if n, _ := strconv.ParseInt(want, 10, 64); n != cp.tree.N {
			fail("%s: signed size %d differs from its name", filepath.Base(p), cp.tree.N)
		}
		r := tlog.TileHashReader(cp.tree, dirTiles{dir})
		th, err := tlog.TreeHash(cp.tree.N, r)
		if err != nil {
			fail("%s: root from tiles: %v", filepath.Base(p), err)
		}
		if th != cp.tree.Hash {
			fail("%s: tiles give root %v, the note signs %v", filepath.Base(p), th, cp.tree.Hash)
		}
		fmt.Printf("ok note %s size %d root %v (signature and tiles)\n", filepath.Base(p), cp.tree.N, th)
		if prev != nil {
			proof, err := tlog.ProveTree(cp.tree.N, prev.tree.N, r)
			if err != nil {
				fail("consistency %d -> %d: %v", prev.tree.N, cp.tree.N, err)
			}
			if err := tlog.CheckTree(proof, cp.tree.N, cp.tree.Hash, prev.tree.N, prev.tree.Hash); err != nil {
				fail("consistency %d -> %d: %v", prev.tree.N, cp.tree.N, err)
			}
			fmt.Printf("ok consistent %d -> %d\n", prev.tree.N, cp.tree.N)
		}
		c := cp
		prev = &c
		newest = cp
	}
	r := tlog.TileHashReader(newest.tree, dirTiles{dir})
	leaf := func(i int64) tlog.Hash {
		hs, err := r.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil {
			fail("leaf %d from tiles: %v", i, err)
		}
		return hs[0]
	}
	entries := 0
	for i := int64(0); i < newest.tree.N; i++ {
		b, err := os.ReadFile(filepath.Join(dir, "entries", fmt.Sprintf("%020d.json", i)))
		if err != nil {
			fail("entry %d: %v", i, err)
		}
		if tlog.RecordHash(b) != leaf(i) {
			fail("entry %d: its RecordHash is not the leaf in the tiles", i)
		}
		entries++
	}
	fmt.Printf("ok %d entries hash to their leaves\n", entries)
	bundled := 0
	for n := int64(0); (n+1)*256 <= newest.tree.N; n++ {
		p := "tile/entries/" + strings.TrimPrefix(tlog.Tile{H: 8, L: 0, N: n, W: 256}.Path(), "tile/8/0/")
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			fail("bundle %s: %v", p, err)
		}
		recs, err := readBundle(b)
		if err != nil || len(recs) != 256 {
			fail("bundle %s: not 256 length-prefixed records (%v)", p, err)
		}
		for j, rec := range recs {
			if tlog.RecordHash(rec) != leaf(n*256+int64(j)) {
				fail("bundle %s record %d: not the leaf in the tiles", p, j)
			}
		}
		bundled += len(recs)
	}
	fmt.Printf("ok %d bundled records hash to their leaves\n", bundled)
}

func checkProof(path, recordPath string, k keys) {
	b, err := os.ReadFile(path)
	if err != nil {
		fail("%v", err)
	}
	blank := bytes.Index(b, []byte("\n\n"))
	if blank < 0 {
		fail("proof: no empty line")
	}
	lines := strings.Split(string(b[:blank]), "\n")
	if lines[0] != "c2sp.org/tlog-proof@v1" {
		fail("proof: first line %q", lines[0])
	}
	i := 1
	if strings.HasPrefix(lines[i], "extra ") {
		i++
	}
	if !strings.HasPrefix(lines[i], "index ") {
		fail("proof: no index line")
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(lines[i], "index "), 10, 64)
	if err != nil {
		fail("proof: bad index")
	}
	var rp tlog.RecordProof
	for _, l := range lines[i+1:] {
		h, err := tlog.ParseHash(l)
		if err != nil {
			fail("proof: bad hash %q", l)
		}
		rp = append(rp, h)
	}
	cp, err := openCheckpoint(b[blank+2:], k)
	if err != nil {
		fail("proof checkpoint: %v", err)
	}
	rec, err := os.ReadFile(recordPath)
	if err != nil {
		fail("%v", err)
	}
	if err := tlog.CheckRecord(rp, cp.tree.N, cp.tree.Hash, index, tlog.RecordHash(rec)); err != nil {
		fail("inclusion of record %d in size %d: %v", index, cp.tree.N, err)
	}
	fmt.Printf("ok record %d is in %s at size %d\n", index, cp.origin, cp.tree.N)
}

func checkConsistency(bodyPath, oldNotePath string, k keys) {
	body, err := os.ReadFile(bodyPath)
	if err != nil {
		fail("%v", err)
	}
	old, err := os.ReadFile(oldNotePath)
	if err != nil {
		fail("%v", err)
	}
	oldCp, err := openCheckpoint(old, k)
	if err != nil {
		fail("old checkpoint: %v", err)
	}
	blank := bytes.Index(body, []byte("\n\n"))
	if blank < 0 {
		fail("body: no empty line")
	}
	lines := strings.Split(string(body[:blank]), "\n")
	oldSize, err := strconv.ParseInt(strings.TrimPrefix(lines[0], "old "), 10, 64)
	if err != nil || oldSize != oldCp.tree.N {
		fail("body: old size %q is not the old checkpoint's %d", lines[0], oldCp.tree.N)
	}
	var tp tlog.TreeProof
	for _, l := range lines[1:] {
		h, err := tlog.ParseHash(l)
		if err != nil {
			fail("body: bad hash %q", l)
		}
		tp = append(tp, h)
	}
	newCp, err := openCheckpoint(body[blank+2:], k)
	if err != nil {
		fail("new checkpoint: %v", err)
	}
	if err := tlog.CheckTree(tp, newCp.tree.N, newCp.tree.Hash, oldCp.tree.N, oldCp.tree.Hash); err != nil {
		fail("consistency %d -> %d: %v", oldCp.tree.N, newCp.tree.N, err)
	}
	fmt.Printf("ok consistent %d -> %d\n", oldCp.tree.N, newCp.tree.N)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "store":
		if len(os.Args) < 4 {
			usage()
		}
		checkStore(os.Args[2], parseKeys(os.Args[3:]))
	case "proof":
		if len(os.Args) < 5 {
			usage()
		}
		checkProof(os.Args[2], os.Args[3], parseKeys(os.Args[4:]))
	case "consistency":
		if len(os.Args) != 5 {
			usage()
		}
		checkConsistency(os.Args[2], os.Args[3], parseKeys(os.Args[4:]))
	default:
		usage()
	}
}
