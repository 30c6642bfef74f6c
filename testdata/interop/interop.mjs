// Interop harness for internal/sdjwt/interop_test.go: hashi SD-JWT VCs against the
// OpenWallet Foundation implementation (@sd-jwt/sd-jwt-vc, ES256 via @sd-jwt/crypto-nodejs).
//
// Reads one JSON object from stdin:
//   {"now": <unix seconds>, "nonce": "...", "aud": "...",
//    "hashi": {"issuerJwk": {...}, "issued": "<SD-JWT>", "presentation": "<SD-JWT+KB>"}}
// and writes one JSON object to stdout:
//   {"verifiedIssued": {...}, "verifiedPresentation": {...}, "kb": {...},
//    "node": {"issuerJwk": {...}, "issued": "...", "presentation": "...", "claims": {...}}}
// Any failure exits non-zero with the error on stderr.

import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';

const input = JSON.parse(await new Promise((resolve, reject) => {
  let data = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => { data += chunk; });
  process.stdin.on('end', () => resolve(data));
  process.stdin.on('error', reject);
}));

// The KB-JWT is checked with the holder key from the credential's cnf.jwk.
const kbVerifier = async (data, sig, payload) =>
  (await ES256.getVerifier(payload.cnf.jwk))(data, sig);

const verifyOptions = {
  currentDate: input.now,
  keyBindingNonce: input.nonce,
  disableStatusVerification: true, // no network: hashi credentials carry a status_list reference
};

// 1. Verify what hashi issued and presented.
const verifierOfHashi = new SDJwtVcInstance({
  hasher: digest,
  verifier: await ES256.getVerifier(input.hashi.issuerJwk),
  kbVerifier,
});
const issued = await verifierOfHashi.verify(input.hashi.issued, {
  currentDate: input.now,
  disableStatusVerification: true,
});
const presented = await verifierOfHashi.verify(input.hashi.presentation, verifyOptions);
if (!presented.kb) throw new Error('the KB-JWT of the hashi presentation was not verified');
if (presented.kb.payload.aud !== input.aud) throw new Error(`KB-JWT aud ${presented.kb.payload.aud}`);

// 2. Issue and present with the npm implementation, for hashi to verify.
const issuerKeys = await ES256.generateKeyPair();
const holderKeys = await ES256.generateKeyPair();
const sdjwt = new SDJwtVcInstance({
  signer: await ES256.getSigner(issuerKeys.privateKey),
  signAlg: ES256.alg,
  verifier: await ES256.getVerifier(issuerKeys.publicKey),
  kbSigner: await ES256.getSigner(holderKeys.privateKey),
  kbSignAlg: ES256.alg,
  kbVerifier,
  hasher: digest,
  hashAlg: 'sha-256',
  saltGenerator: generateSalt,
});
const claims = {
  iss: 'https://issuer.node.example',
  iat: input.now - 60,
  exp: input.now + 3600,
  vct: 'https://issuer.node.example/vct/diploma/v1',
  cnf: { jwk: holderKeys.publicKey },
  given_name: 'Erika',
  family_name: 'Mustermann',
  address: { street_address: 'Heidestraße 17', locality: 'Köln', country: 'DE' },
  degrees: [
    { type: 'Bachelor', university: 'Bonn' },
    { type: 'Master', university: 'Kyoto' },
  ],
  nationalities: ['DE', 'JP'],
};
const nodeIssued = await sdjwt.issue(claims, {
  _sd: ['given_name', 'family_name', 'address'],
  address: { _sd: ['street_address', 'locality'], _sd_decoy: 2 },
  degrees: { _sd: [0, 1], 1: { _sd: ['type'] } },
  nationalities: { _sd: [1] },
  _sd_decoy: 1,
});
const nodePresentation = await sdjwt.present(
  nodeIssued,
  { given_name: true, address: { locality: true }, degrees: { 1: { type: true } }, nationalities: { 1: true } },
  { kb: { payload: { iat: input.now, aud: input.aud, nonce: input.nonce } } },
);
const nodeVerified = await sdjwt.verify(nodePresentation, verifyOptions);

process.stdout.write(JSON.stringify({
  verifiedIssued: issued.payload,
  verifiedPresentation: presented.payload,
  kb: presented.kb.payload,
  node: {
    issuerJwk: issuerKeys.publicKey,
    issued: nodeIssued,
    presentation: nodePresentation,
    claims: nodeVerified.payload,
  },
}));
