// An independent OpenID4VP 1.0 wallet for hashi's verifier desk: Animo's @openid4vc/openid4vp
// Openid4vpClient resolves the desk's request (request object by reference from request_uri,
// with GET or POST as the link's request_uri_method says), checks the x509_hash (or
// x509_san_dns) client_id against the x5c leaf of the signed request object and verifies its
// ES256 signature (here, with node:crypto: the leaf's key, the chain up to the access CA the
// caller pins), answers the DCQL query with the one dc+sd-jwt credential it holds (disclosing
// exactly the claims of the first claim set the credential can satisfy) using the OpenWallet
// Foundation's @sd-jwt/sd-jwt-vc present() with a KB-JWT (nonce = the request's nonce, aud = the
// full client_id with its prefix, iat = now, signed with the holder key), and builds and
// submits the authorization response with the library: direct_post (vp_token, a JSON object
// keyed by the credential query id with an array of presentations, OpenID4VP 1.0 §8.1, and
// state) or direct_post.jwt (ECDH-ES JWE to the key in the request's client_metadata,
// encrypted here with panva's jose).
//
// Unsigned requests (client_id prefix redirect_uri) by reference: the library refuses the
// unsecured request object (alg "none", empty signature) that request_uri returns, so the
// script fetches it itself, checks that it is unsecured and names the link's client_id, and
// hands its claims to the library as a request by value, which then checks the client_id
// against response_uri. The library's own error is reported as "workaround".
//
// Line protocol, one JSON object per line:
//   stdin:  {"credential": "<compact dc+sd-jwt>", "holderKey": {<private EC P-256 JWK>},
//            "accessCa": "<b64 DER of the access CA>"?}           -> stdout {"ready": true}
//   stdin:  {"present": "openid4vp://?...", "tamper": "nonce"|"replay"?}
//           -> stdout {"status": <HTTP status of the response_uri>, "body": <its JSON body>,
//                      "clientId", "responseMode", "requestUriMethod", "queryId",
//                      "disclosed": [<claim paths>], "kbNonce", "kbAud", "jweEnc"?,
//                      "workaround"?}
//   "tamper": "nonce" signs the KB-JWT over another nonce; "replay" submits the vp_token of the
//   previous presentation (to another request) with this request's state.
//   Errors: stdout {"error": "..."}.
// Run by cmd/hashi/vpinterop_test.go (TestInteropNpmWalletPresentsToDesk). Plain http on
// loopback only (setGlobalConfig allowInsecureUrls).
import { createHash, randomBytes, X509Certificate, verify as nodeVerify } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Openid4vpClient } from '@openid4vc/openid4vp';
import { setGlobalConfig } from '@openid4vc/utils';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest } from '@sd-jwt/crypto-nodejs';
import { CompactEncrypt, importJWK } from 'jose';

setGlobalConfig({ allowInsecureUrls: true }); // loopback http only

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const hash = (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest();
const b64uJSON = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

let cfg; // { credential, holderKey, accessCa }
let lastVpToken; // for "tamper": "replay"

// verifyRequestObject verifies a signed request object: ES256 only, signature with the x5c
// leaf's key, each certificate of x5c issued by the next, the last by the pinned access CA
// (when the caller gave one), every certificate within its validity.
function verifyRequestObject(signer, compact) {
  if (signer.method !== 'x5c' || signer.alg !== 'ES256') return false;
  const chain = signer.x5c.map((c) => new X509Certificate(Buffer.from(c, 'base64')));
  const now = Date.now();
  for (const c of chain) {
    if (now < Date.parse(c.validFrom) || now > Date.parse(c.validTo)) return false;
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i].checkIssued(chain[i + 1]) || !chain[i].verify(chain[i + 1].publicKey)) return false;
  }
  if (cfg.accessCa) {
    const last = chain[chain.length - 1];
    if (!last.checkIssued(cfg.accessCa) || !last.verify(cfg.accessCa.publicKey)) return false;
  }
  const [h, p, s] = compact.split('.');
  return nodeVerify('sha256', Buffer.from(`${h}.${p}`), { key: chain[0].publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
}

// subjectAltNames reads the DNS and URI names of a certificate's subjectAltName.
function subjectAltNames(b64der) {
  const names = (new X509Certificate(Buffer.from(b64der, 'base64')).subjectAltName ?? '').split(', ');
  return {
    sanDnsNames: names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)),
    sanUriNames: names.filter((n) => n.startsWith('URI:')).map((n) => n.slice(4)),
  };
}

const callbacks = {
  hash,
  generateRandom: (n) => randomBytes(n),
  verifyJwt: async (signer, { compact }) => {
    const verified = verifyRequestObject(signer, compact);
    return verified ? { verified, signerJwk: new X509Certificate(Buffer.from(signer.x5c[0], 'base64')).publicKey.export({ format: 'jwk' }) } : { verified };
  },
  getX509CertificateMetadata: subjectAltNames,
  encryptJwe: async (encryptor, plaintext) => {
    if (encryptor.method !== 'jwk' || encryptor.alg !== 'ECDH-ES') throw new Error(`unsupported encryptor ${encryptor.method} ${encryptor.alg}`);
    const key = await importJWK({ ...encryptor.publicJwk, alg: 'ECDH-ES' }, 'ECDH-ES');
    const enc = new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: encryptor.enc, kid: encryptor.publicJwk.kid });
    const params = {};
    if (encryptor.apu) params.apu = Buffer.from(encryptor.apu, 'base64url');
    if (encryptor.apv) params.apv = Buffer.from(encryptor.apv, 'base64url');
    enc.setKeyManagementParameters(params);
    return { jwe: await enc.encrypt(key), encryptionJwk: encryptor.publicJwk };
  },
};
const client = new Openid4vpClient({ callbacks });

// resolve resolves the request of link. For the redirect_uri prefix it falls back to fetching
// the unsecured request object itself when the library refuses it (see the header).
async function resolve(link) {
  const parsed = client.parseOpenid4vpAuthorizationRequest({ authorizationRequest: link });
  try {
    return { resolved: await client.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: parsed.params }) };
  } catch (e) {
    if (!parsed.params.client_id?.startsWith('redirect_uri:') || !parsed.params.request_uri) throw e;
    const workaround = e?.errorResponse ? `${e.errorResponse.error}: ${e.errorResponse.error_description}` : String(e?.message ?? e);
    const post = parsed.params.request_uri_method === 'post';
    const res = await fetch(parsed.params.request_uri, {
      method: post ? 'POST' : 'GET',
      headers: { Accept: 'application/oauth-authz-req+jwt', ...(post ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
      body: post ? '' : undefined,
    });
    if (!res.ok) throw new Error(`request_uri answered ${res.status}`);
    const parts = (await res.text()).split('.');
    if (parts.length !== 3 || parts[2] !== '') throw new Error('the redirect_uri request object is not an unsecured JWT');
    const header = b64uJSON(parts[0]);
    if (header.alg !== 'none' || header.typ !== 'oauth-authz-req+jwt') throw new Error(`unsecured request object header ${JSON.stringify(header)}`);
    const payload = b64uJSON(parts[1]);
    if (payload.client_id !== parsed.params.client_id) throw new Error('the request object names another client_id than the link');
    if (payload.exp && payload.exp * 1000 < Date.now()) throw new Error('the request object has expired');
    const { aud, iat, exp, ...params } = payload; // JWT claims, not authorization request parameters
    return { resolved: await client.resolveOpenId4vpAuthorizationRequest({ authorizationRequestPayload: params }), workaround };
  }
}

// hasClaim reports whether a DCQL claims path pointer names a claim (strings and indexes;
// null selects every array element, present when the array is not empty).
function hasClaim(claims, path) {
  let v = claims;
  for (const p of path) {
    if (p === null) return Array.isArray(v) && v.length > 0;
    if (v === null || typeof v !== 'object' || !(p in v)) return false;
    v = v[p];
  }
  return true;
}

// frameOf is the @sd-jwt presentation frame disclosing paths.
function frameOf(paths) {
  const frame = {};
  for (const path of paths) {
    let f = frame;
    path.forEach((p, i) => {
      if (p === null) throw new Error('wildcard paths are not supported by this minimal wallet');
      if (i === path.length - 1) f[p] = true;
      else f = f[p] = (typeof f[p] === 'object' ? f[p] : {});
    });
  }
  return frame;
}

// selectClaims evaluates the DCQL query minimally: one dc+sd-jwt credential query whose
// vct_values name the credential's vct; its claims (all, or the first claim set whose claims
// the credential has).
async function selectClaims(query, sdjwt) {
  if (query.credentials.length !== 1 || query.credential_sets) throw new Error('only one credential query is supported');
  const cq = query.credentials[0];
  const claims = await sdjwt.getClaims(cfg.credential);
  if (cq.format !== 'dc+sd-jwt' || !(cq.meta?.vct_values ?? []).includes(claims.vct)) throw new Error(`no credential for query ${cq.id}`);
  const byId = new Map((cq.claims ?? []).map((c) => [c.id, c.path]));
  let paths = (cq.claims ?? []).map((c) => c.path);
  if (cq.claim_sets) {
    const set = cq.claim_sets.find((s) => s.every((id) => hasClaim(claims, byId.get(id))));
    if (!set) throw new Error('no claim set can be satisfied');
    paths = set.map((id) => byId.get(id));
  } else if (!paths.every((p) => hasClaim(claims, p))) {
    throw new Error('a requested claim is missing');
  }
  return { queryId: cq.id, paths };
}

async function present({ present: link, tamper }) {
  const { resolved, workaround } = await resolve(link);
  const request = resolved.authorizationRequestPayload;
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    kbSigner: await ES256.getSigner(cfg.holderKey),
    kbSignAlg: 'ES256',
  });
  const { queryId, paths } = await selectClaims(resolved.dcql.query, sdjwt);
  const kb = { nonce: tamper === 'nonce' ? `${request.nonce}-tampered` : request.nonce, aud: request.client_id, iat: Math.floor(Date.now() / 1000) };
  let vpToken = { [queryId]: [await sdjwt.present(cfg.credential, frameOf(paths), { kb: { payload: kb } })] };
  if (tamper === 'replay') {
    if (!lastVpToken) throw new Error('nothing to replay');
    vpToken = lastVpToken;
  }
  lastVpToken = vpToken;
  const encrypted = request.response_mode === 'direct_post.jwt';
  const response = await client.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: { vp_token: vpToken },
    jarm: encrypted ? {
      encryption: {},
      serverMetadata: {
        authorization_encryption_alg_values_supported: ['ECDH-ES'],
        authorization_encryption_enc_values_supported: ['A256GCM', 'A128GCM'],
      },
    } : undefined,
  });
  const submitted = await client.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: response.authorizationResponsePayload,
    jarm: response.jarm ? { responseJwt: response.jarm.responseJwt } : undefined,
  });
  const text = await submitted.response.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return {
    status: submitted.response.status,
    body,
    clientId: request.client_id,
    responseMode: request.response_mode,
    requestUriMethod: new URL(link).searchParams.get('request_uri_method'),
    queryId,
    disclosed: paths,
    kbNonce: kb.nonce,
    kbAud: kb.aud,
    jweEnc: response.jarm ? b64uJSON(response.jarm.responseJwt.split('.')[0]).enc : undefined,
    workaround,
  };
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  try {
    const cmd = JSON.parse(line);
    if (cmd.credential) {
      cfg = {
        credential: cmd.credential,
        holderKey: cmd.holderKey,
        accessCa: cmd.accessCa ? new X509Certificate(Buffer.from(cmd.accessCa, 'base64')) : undefined,
      };
      out({ ready: true });
    } else if (cmd.present) {
      if (!cfg) throw new Error('no credential yet');
      out(await present(cmd));
    } else {
      out({ error: 'unknown command' });
    }
  } catch (e) {
    out({ error: String(e?.stack ?? e) + (e?.errorResponse ? ` ${JSON.stringify(e.errorResponse)}` : '') });
  }
}
