package webui_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/hashi-vc/hashi/internal/webui"
)

func ExampleFormatDate() {
	d := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	fmt.Println(webui.FormatDate(webui.English, d))
	fmt.Println(webui.FormatDate(webui.Japanese, d))
	// Output:
	// 28 November 2026
	// 2026年11月28日
}

func ExampleCatalog_Translate() {
	c, err := webui.NewCatalog() // base messages only; services pass their own fs.FS
	if err != nil {
		panic(err)
	}
	for _, tag := range webui.Languages() {
		s, _ := c.Translate(tag, "validation.required", "Field", "Email")
		fmt.Println(s)
	}
	// Output:
	// Email is required.
	// Emailは必須です。
}

func ExampleCatalog_Negotiate() {
	c, err := webui.NewCatalog()
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Negotiate("", "", "ja-JP,ja;q=0.9,en;q=0.8")) // Accept-Language
	fmt.Println(c.Negotiate("", "en", "ja-JP"))                 // the hashi_lang cookie wins
	fmt.Println(c.Negotiate("ja", "en", ""))                    // the switch link wins
	fmt.Println(c.Negotiate("", "", "fr-FR"))                   // English otherwise
	// Output:
	// ja
	// en
	// ja
	// en
}

func ExampleSecureCookie() {
	key := bytes.Repeat([]byte{0x42}, 32) // from the service's secret store
	sc, err := webui.NewSecureCookie("hashi_registrar", key, 8*time.Hour)
	if err != nil {
		panic(err)
	}
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	v, _ := sc.Encode("registrar:17", now.Add(8*time.Hour))
	got, err := sc.Decode(v, now.Add(time.Hour))
	fmt.Println(got, err)
	_, err = sc.Decode(v, now.Add(9*time.Hour))
	fmt.Println(webui.CodeOf(err))
	// Output:
	// registrar:17 <nil>
	// cookie_expired
}
