// Verifies a compact JWS LoTE (TS 119 602) with panva's `jose`, independently of hashi:
// stdin {"jws": "...", "signerPem": "-----BEGIN CERTIFICATE-----..."}; stdout
// {"alg", "typ", "x5cLeafMatches", "payload"} or exit 1 with the error on stderr.
// Run by trustlist/sign_test.go (TestSignLoTEInterop).
import { compactVerify, decodeProtectedHeader, importX509 } from 'jose';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const header = decodeProtectedHeader(input.jws);
const pinned = input.signerPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
const key = await importX509(input.signerPem, header.alg);
const { payload, protectedHeader } = await compactVerify(input.jws, key, { algorithms: ['ES256', 'ES384'] });
process.stdout.write(JSON.stringify({
  alg: protectedHeader.alg,
  typ: protectedHeader.typ,
  x5cLeafMatches: Array.isArray(protectedHeader.x5c) && protectedHeader.x5c[0] === pinned,
  payload: JSON.parse(new TextDecoder().decode(payload)),
}));
