package wallet_test

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/hashi-vc/hashi/internal/storeerr"
	"github.com/hashi-vc/hashi/wallet"
)

// memStore is an in-memory wallet.Store for the tests; the real one is wallet/walletstore.
type memStore struct {
	mu      sync.Mutex
	creds   []wallet.Credential
	pending map[string]wallet.PendingIssuance // key owner/id
	history []wallet.PresentationRecord
}

var _ wallet.Store = (*memStore)(nil)

func newMemStore() *memStore { return &memStore{pending: map[string]wallet.PendingIssuance{}} }

func (m *memStore) SaveCredentials(_ context.Context, owner string, creds []wallet.Credential, resolves string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if resolves != "" {
		if _, ok := m.pending[owner+"/"+resolves]; !ok {
			return fmt.Errorf("pending %s: %w", resolves, storeerr.ErrNotFound)
		}
	}
	for _, c := range creds {
		if c.Owner != owner || slices.ContainsFunc(m.creds, func(o wallet.Credential) bool { return o.ID == c.ID }) {
			return storeerr.ErrConflict
		}
	}
	m.creds = append(m.creds, creds...)
	delete(m.pending, owner+"/"+resolves)
	return nil
}

func (m *memStore) Credential(_ context.Context, owner, id string) (*wallet.Credential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, c := range m.creds {
		if c.Owner == owner && c.ID == id {
			return &c, nil
		}
	}
	return nil, storeerr.ErrNotFound
}

func (m *memStore) Credentials(_ context.Context, owner string) ([]wallet.Credential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []wallet.Credential
	for _, c := range m.creds {
		if c.Owner == owner {
			out = append(out, c)
		}
	}
	return out, nil
}

func (m *memStore) DeleteCredential(_ context.Context, owner, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.creds, func(c wallet.Credential) bool { return c.Owner == owner && c.ID == id })
	if i < 0 {
		return storeerr.ErrNotFound
	}
	m.creds = slices.Delete(m.creds, i, i+1)
	return nil
}

func (m *memStore) PutPending(_ context.Context, p wallet.PendingIssuance) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending[p.Owner+"/"+p.ID] = p
	return nil
}

func (m *memStore) Pending(_ context.Context, owner, id string) (*wallet.PendingIssuance, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.pending[owner+"/"+id]
	if !ok {
		return nil, storeerr.ErrNotFound
	}
	return &p, nil
}

func (m *memStore) PendingIssuances(_ context.Context, owner string) ([]wallet.PendingIssuance, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []wallet.PendingIssuance
	for _, p := range m.pending {
		if p.Owner == owner {
			out = append(out, p)
		}
	}
	return out, nil
}

func (m *memStore) DeletePending(_ context.Context, owner, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.pending[owner+"/"+id]; !ok {
		return storeerr.ErrNotFound
	}
	delete(m.pending, owner+"/"+id)
	return nil
}

func (m *memStore) AddPresentation(_ context.Context, r wallet.PresentationRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.history = append([]wallet.PresentationRecord{r}, m.history...)
	return nil
}

func (m *memStore) Presentations(_ context.Context, owner string) ([]wallet.PresentationRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []wallet.PresentationRecord
	for _, r := range m.history {
		if r.Owner == owner {
			out = append(out, r)
		}
	}
	return out, nil
}
