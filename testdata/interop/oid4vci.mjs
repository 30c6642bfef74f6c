// An independent OpenID4VCI 1.0 wallet against hashi's issuer: Animo's @openid4vc/openid4vci
// client (pre-authorized code flow, tx_code, DPoP, nonce endpoint, jwt proofs, notification),
// and the received SD-JWT VC verified with the OpenWallet Foundation's @sd-jwt/sd-jwt-vc.
// stdin: {"offer": "openid-credential-offer://...", "txCode": "123456" | null,
//         "configurationId": "...", "dpop": true|false, "batch": 1,
//         "holderKeys": true?, "insecureHttp": true?}
// stdout: {"credentials": [...], "notificationId", "tokenType", "claims": [...]} or exit 1;
// with "holderKeys" also "holderKeys": the private JWKs of the proof keys, in proof order
// (for a wallet that presents the credentials later, e.g. vp-wallet.mjs).
// "insecureHttp" lets the library use plain http URLs (hashi demo on loopback).
// With stdin {"verify": "<sd-jwt vc>"} it only verifies that credential (status included).
// Run by cmd/hashi/issuer_test.go (TestInteropOpenID4VCIClient) and cmd/hashi/vpinterop_test.go
// (TestInteropNpmWalletPresentsToDesk). TLS: the caller sets NODE_EXTRA_CA_CERTS to the pilot
// TLS CA.
import { createHash, generateKeyPairSync, randomBytes, sign as nodeSign, X509Certificate, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { clientAuthenticationAnonymous } from '@openid4vc/oauth2';
import { setGlobalConfig } from '@openid4vc/utils';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));

if (input.insecureHttp) setGlobalConfig({ allowInsecureUrls: true });

const b64u = (buf) => Buffer.from(buf).toString('base64url');

// P-256 keys with their private JWK kept in memory; signing is node:crypto ES256 (r||s).
const keys = new Map();
function newKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  keys.set(jwk.x, privateKey);
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
}

const callbacks = {
  hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
  generateRandom: (n) => randomBytes(n),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, { header, payload }) => {
    if (signer.method !== 'jwk') throw new Error('unsupported signer ' + signer.method);
    const input = b64u(JSON.stringify(header)) + '.' + b64u(JSON.stringify(payload));
    const sig = nodeSign('sha256', Buffer.from(input), { key: keys.get(signer.publicJwk.x), dsaEncoding: 'ieee-p1363' });
    return { jwt: input + '.' + b64u(sig), signerJwk: signer.publicJwk };
  },
};

// verifySDJWTVC verifies an SD-JWT VC with @sd-jwt/sd-jwt-vc: issuer key from the x5c leaf,
// status from the issuer's status list token (fetched and verified by the library with the
// same seal; it throws unless the entry is VALID).
async function verifySDJWTVC(c) {
  const header = JSON.parse(Buffer.from(c.split('.')[0], 'base64url').toString('utf8'));
  const leaf = new X509Certificate(Buffer.from(header.x5c[0], 'base64'));
  const pub = createPublicKey(leaf.publicKey.export({ format: 'pem', type: 'spki' }));
  const verifier = (data, sig) => nodeVerify('sha256', Buffer.from(data), { key: pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
  const sdjwt = new SDJwtVcInstance({
    hasher: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
    hashAlg: 'sha-256',
    verifier,
    statusVerifier: verifier,
  });
  return (await sdjwt.verify(c)).payload;
}

if (input.verify) {
  process.stdout.write(JSON.stringify({ claims: [await verifySDJWTVC(input.verify)] }));
  process.exit(0);
}

const client = new Openid4vciClient({ callbacks });
const credentialOffer = await client.resolveCredentialOffer(input.offer);
const issuerMetadata = await client.resolveIssuerMetadata(credentialOffer.credential_issuer);
const dpopSigner = input.dpop ? { method: 'jwk', alg: 'ES256', publicJwk: newKey() } : undefined;
const { accessTokenResponse, dpop } = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({
  credentialOffer,
  issuerMetadata,
  txCode: input.txCode ?? undefined,
  dpop: dpopSigner ? { signer: dpopSigner } : undefined,
});
const { c_nonce } = await client.requestNonce({ issuerMetadata });
const jwts = [];
const proofKeys = [];
for (let i = 0; i < (input.batch ?? 1); i++) {
  const publicJwk = newKey();
  proofKeys.push(publicJwk);
  const { jwt } = await client.createCredentialRequestJwtProof({
    issuerMetadata,
    credentialConfigurationId: input.configurationId,
    nonce: c_nonce,
    signer: { method: 'jwk', alg: 'ES256', publicJwk },
  });
  jwts.push(jwt);
}
const { credentialResponse } = await client.retrieveCredentials({
  issuerMetadata,
  accessToken: accessTokenResponse.access_token,
  credentialConfigurationId: input.configurationId,
  proofs: { jwt: jwts },
  dpop,
});
const credentials = (credentialResponse.credentials ?? []).map((c) => c.credential);
if (credentialResponse.notification_id) {
  await client.sendNotification({
    issuerMetadata,
    accessToken: accessTokenResponse.access_token,
    notification: { notificationId: credentialResponse.notification_id, event: 'credential_accepted' },
    dpop,
  });
}

const claims = [];
for (const c of credentials) {
  if (typeof c === 'string' && c.includes('~')) claims.push(await verifySDJWTVC(c));
}
process.stdout.write(JSON.stringify({
  credentials,
  notificationId: credentialResponse.notification_id ?? null,
  tokenType: accessTokenResponse.token_type,
  claims,
  ...(input.holderKeys ? { holderKeys: proofKeys.map((k) => keys.get(k.x).export({ format: 'jwk' })) } : {}),
}));
