package wallethttp_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/wallethttp"
	"github.com/hashi-vc/hashi/wallet/walletstore"
	"github.com/labstack/echo/v4"
)

func ExampleNew() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "wallethttp-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	db, err := sqldb.Open(ctx, filepath.Join(dir, "wallet.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	st, err := walletstore.New(ctx, db, bytes.Repeat([]byte{0x42}, walletstore.KeySize)) // walletstore.LoadKey in production
	if err != nil {
		log.Fatal(err)
	}
	client, err := safehttp.New()
	if err != nil {
		log.Fatal(err)
	}
	w, err := wallet.New(st, client, time.Now)
	if err != nil {
		log.Fatal(err)
	}
	h, err := wallethttp.New(w, st) // the store is also the Accounts
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New() // hashi serves it through internal/httpx
	h.Register(e)

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/wallet/credentials", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	// Output: 303 /wallet/sign-in?next=%2Fwallet%2Fcredentials
}
