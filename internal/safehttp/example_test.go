package safehttp_test

import (
	"fmt"

	"github.com/hashi-vc/hashi/internal/safehttp"
)

func ExampleClient_CheckURL() {
	c, err := safehttp.New(safehttp.WithLoopbackInsecure())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range []string{"https://issuer.example/offer/1", "http://localhost:8443/req", "http://issuer.example/", "https://169.254.169.254/"} {
		_, err := c.CheckURL(u)
		fmt.Printf("%s %q\n", u, safehttp.CodeOf(err))
	}
	// Output:
	// https://issuer.example/offer/1 ""
	// http://localhost:8443/req ""
	// http://issuer.example/ "invalid_url"
	// https://169.254.169.254/ "blocked_address"
}
