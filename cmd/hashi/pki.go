package main

import (
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hashi-vc/hashi/internal/pki"
)

func newPKICmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pki",
		Short: "Manage the pilot PKI (scheme operators, CAs, university seals, verifier access and TLS certificates)",
	}
	cmd.AddCommand(newPKIInitCmd())
	return cmd
}

func newPKIInitCmd() *cobra.Command {
	var out, baseURL string
	cmd := &cobra.Command{
		Use:   "init --out DIR",
		Short: "Generate the pilot PKI into DIR, or reuse the one already there",
		Long: `Generates the EU–Japan pilot PKI as PEM and JWK files (private keys mode 0600) with a
pki.json manifest: for the EU and Japan a trusted-list signer, a seal CA and a relying-party
access CA; a seal certificate per university; an access certificate per verifier; an EU LOTL
signer; and demo TLS certificates. A complete PKI already in DIR, made with the same
--issuer-base-url, is reused unchanged; one made for another is refused (remove DIR first).`,
		Args: withUsage(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError{fmt.Errorf("--out DIR is required")}
			}
			m, err := pki.Init(out, pki.DefaultConfig(baseURL), time.Now())
			if err != nil {
				return err
			}
			printManifest(cmd.OutOrStdout(), out, m)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder for the PKI (created if missing)")
	cmd.Flags().StringVar(&baseURL, "issuer-base-url", pki.DefaultIssuerBaseURL,
		"base URL of the issuer service; each university's credential issuer is this plus /<tenant>")
	return cmd
}

func printManifest(w io.Writer, dir string, m *pki.Manifest) {
	fmt.Fprintf(w, "Pilot PKI in %s (manifest %s, created %s)\n\n", dir,
		filepath.Join(dir, pki.ManifestFile), m.Created.UTC().Format(time.RFC3339))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tID\tFOLDER\tSUBJECT")
	for _, e := range m.Entities {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Role, e.ID, e.Dir, e.Subject)
	}
	_ = tw.Flush()
}
