package trustlist

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// maxCacheMetaSize bounds a cache metadata file (a few hundred bytes in practice).
const maxCacheMetaSize = 64 << 10

// cacheMeta is the metadata kept next to a cached list: the validators for conditional
// requests and what the list was when it last verified. It is not trusted: the cached bytes
// are verified again before use, and the sequence only feeds the rollback check.
type cacheMeta struct {
	URL          string    `json:"url"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	FetchedAt    time.Time `json:"fetched_at"`
	Sequence     uint64    `json:"sequence"`
}

// diskCache keeps the last good bytes of each list in one directory: for a URL, the files
// <sha256(url)>.list (the bytes as fetched) and <sha256(url)>.json (cacheMeta). Files are
// written atomically (temporary file in the same directory, fsync, rename, directory fsync)
// with mode 0600 in a 0700 directory.
type diskCache struct {
	dir string
}

func (c *diskCache) paths(url string) (body, meta string) {
	h := sha256.Sum256([]byte(url))
	base := filepath.Join(c.dir, hex.EncodeToString(h[:]))
	return base + ".list", base + ".json"
}

// read returns the cached bytes and metadata of url; ok is false when there is no usable
// entry (missing files, unreadable or oversized files, metadata for another URL).
func (c *diskCache) read(url string, maxBody int64) (body []byte, meta cacheMeta, ok bool) {
	bp, mp := c.paths(url)
	mb, err := readBounded(mp, maxCacheMetaSize)
	if err != nil || json.Unmarshal(mb, &meta) != nil || meta.URL != url {
		return nil, cacheMeta{}, false
	}
	body, err = readBounded(bp, maxBody)
	if err != nil {
		return nil, cacheMeta{}, false
	}
	return body, meta, true
}

// errFileTooLarge marks a cache file over its bound.
var errFileTooLarge = errors.New("cache file too large")

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path) //nolint:gosec // path is the cache directory joined with a hex digest
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errFileTooLarge
	}
	return b, nil
}

// write stores body and meta for url: the body first, then the metadata, each atomically.
func (c *diskCache) write(url string, body []byte, meta cacheMeta) error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	bp, mp := c.paths(url)
	if err := c.writeAtomic(bp, body); err != nil {
		return err
	}
	return c.writeAtomic(mp, mb)
}

func (c *diskCache) writeAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(c.dir)
}

// syncDir makes a rename in dir durable. Platforms that cannot fsync a directory report
// an error the caller may ignore; Linux and the BSDs support it.
func syncDir(dir string) error {
	d, err := os.Open(dir) //nolint:gosec // the configured cache directory
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil && !errors.Is(serr, fs.ErrInvalid) {
		return serr
	}
	return cerr
}
