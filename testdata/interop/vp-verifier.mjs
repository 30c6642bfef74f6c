// An independent OpenID4VP 1.0 verifier for hashi's wallet: Animo's @openid4vc/openid4vp
// Openid4vpVerifier creates the authorization requests (unsigned with the redirect_uri
// client_id prefix, or signed request objects by reference with x509_san_dns or x509_hash,
// using the pilot access certificate the caller provides) and parses the direct_post or
// direct_post.jwt responses (JWE decrypted here with panva's jose); each dc+sd-jwt
// presentation is verified with the OpenWallet Foundation's @sd-jwt/sd-jwt-vc: issuer
// signature with the x5c leaf, which must be issued by the seal CA the caller names, and the
// KB-JWT with the request's nonce, the client_id as audience and a fresh iat.
//
// Plain http on 127.0.0.1, announced as http://<host>:PORT where host is the access
// certificate's dNSName (the caller resolves it to loopback). Line protocol, one JSON object
// per line:
//   stdout: {"port": PORT} once listening;
//   stdin:  {"host": "jp-desk.localhost", "keyPem": "<PKCS#8 PEM>", "x5c": ["<b64 DER>", ...],
//            "issuerCa": "<b64 DER>"}                         -> stdout {"ready": true}
//   stdin:  {"request": {"clientIdPrefix": "redirect_uri"|"x509_san_dns"|"x509_hash",
//            "responseMode": "direct_post"|"direct_post.jwt", "requestUriMethod": "post"?,
//            "dnsName": "<x509_san_dns id other than host>"?}}
//           -> stdout {"id", "link", "clientId"}
//   stdin:  {"result": "<id>"}                                 -> stdout {"result": {...}}
// It serves until killed. Run by wallet/interop_test.go (TestInteropPresentToNpmVerifier).
import { createServer } from 'node:http';
import { createHash, randomBytes, generateKeyPairSync, createPrivateKey, sign as nodeSign, X509Certificate, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Openid4vpVerifier, calculateX509HashClientIdPrefixValue, zWalletMetadata } from '@openid4vc/openid4vp';
import { clientAuthenticationAnonymous, zAuthorizationErrorResponse } from '@openid4vc/oauth2';
import { setGlobalConfig } from '@openid4vc/utils';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { ES256, digest } from '@sd-jwt/crypto-nodejs';
import { compactDecrypt, importJWK } from 'jose';

setGlobalConfig({ allowInsecureUrls: true }); // loopback http only

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const hash = (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest();

let cfg; // { base, key, x5c, issuerCa }
const sessions = new Map(); // id -> { payload, encKey, result }

const callbacks = {
  hash,
  generateRandom: (n) => randomBytes(n),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, { header, payload }) => {
    if (signer.method !== 'x5c' || signer.alg !== 'ES256') throw new Error('unexpected signer ' + signer.method);
    const input = b64u(JSON.stringify(header)) + '.' + b64u(JSON.stringify(payload));
    const sig = nodeSign('sha256', Buffer.from(input), { key: cfg.key, dsaEncoding: 'ieee-p1363' });
    return { jwt: input + '.' + b64u(sig), signerJwk: cfg.publicJwk };
  },
  verifyJwt: async () => ({ verified: false }), // responses here are encrypted, never signed
  decryptJwe: async (jwe, options) => {
    const s = [...sessions.values()].find((x) => x.encKey && x.encJwk.kid === options?.jwk?.kid);
    if (!s) return { decrypted: false };
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, s.encKey, {
      keyManagementAlgorithms: ['ECDH-ES'], contentEncryptionAlgorithms: ['A128GCM', 'A256GCM'],
    });
    s.jweHeader = protectedHeader;
    return { decrypted: true, decryptionJwk: s.encJwk, payload: new TextDecoder().decode(plaintext) };
  },
};
const verifier = new Openid4vpVerifier({ callbacks });

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    handle(req, Buffer.concat(chunks).toString('utf8'), res).catch((e) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'server_error', error_description: String(e?.message ?? e) }));
    });
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
out({ port: server.address().port });

async function handle(req, body, res) {
  const url = new URL(req.url, 'http://localhost');
  const [, kind, id] = url.pathname.split('/');
  const s = sessions.get(id);
  if (!cfg || !s) {
    res.writeHead(404);
    return res.end();
  }
  if (req.method === 'GET' && kind === 'request' && s.requestObject) {
    s.fetched = (s.fetched ?? 0) + 1;
    res.writeHead(200, { 'Content-Type': 'application/oauth-authz-req+jwt' });
    return res.end(s.requestObject);
  }
  if (req.method === 'POST' && kind === 'request' && s.requestUriMethodPost) {
    // request_uri_method=post (OpenID4VP 1.0 §5.10): check wallet_metadata against the
    // library's schema and sign a request object echoing wallet_nonce.
    const form = Object.fromEntries(new URLSearchParams(body));
    const md = zWalletMetadata.safeParse(JSON.parse(form.wallet_metadata ?? 'null'));
    s.walletMetadata = md.success ? md.data : { error: md.error.message };
    s.walletNonce = form.wallet_nonce;
    s.fetched = (s.fetched ?? 0) + 1;
    const r = await verifier.createOpenId4vpAuthorizationRequest({
      authorizationRequestPayload: { ...s.payload, wallet_nonce: form.wallet_nonce },
      jar: s.jar,
      wallet: { expectedNonce: form.wallet_nonce },
    });
    res.writeHead(200, { 'Content-Type': 'application/oauth-authz-req+jwt' });
    return res.end(r.jar.authorizationRequestJwt);
  }
  if (req.method === 'POST' && kind === 'response') {
    const form = Object.fromEntries(new URLSearchParams(body));
    s.result = await verifyResponse(s, form);
    const ok = !s.result.error;
    res.writeHead(ok ? 200 : 400, { 'Content-Type': 'application/json' });
    return res.end(JSON.stringify(ok ? { redirect_uri: `${cfg.base}/done/${id}` } : { error: 'invalid_request' }));
  }
  res.writeHead(404);
  res.end();
}

// The issuer key is the x5c leaf's, which must be signed by the configured seal CA.
function issuerVerifier(credential) {
  const header = JSON.parse(Buffer.from(credential.split('.')[0], 'base64url').toString('utf8'));
  const leaf = new X509Certificate(Buffer.from(header.x5c[0], 'base64'));
  if (!leaf.checkIssued(cfg.issuerCa) || !leaf.verify(cfg.issuerCa.publicKey)) throw new Error('x5c leaf not issued by the seal CA');
  const pub = createPublicKey(leaf.publicKey.export({ format: 'pem', type: 'spki' }));
  return (data, sig) => nodeVerify('sha256', Buffer.from(data), { key: pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
}

async function verifyResponse(s, form) {
  const result = { responseMode: form.response ? 'direct_post.jwt' : 'direct_post' };
  try {
    // An error response (the wallet declined): the library's response parser requires a
    // vp_token, so it is decrypted here and read with oauth2's error response schema.
    let plain = form;
    if (form.response) {
      const d = await callbacks.decryptJwe(form.response, { jwk: s.encJwk });
      plain = d.decrypted ? JSON.parse(d.payload) : {};
    }
    if (plain.error) {
      const e = zAuthorizationErrorResponse.parse(plain);
      if (e.state !== s.payload.state) throw new Error('state mismatch in error response');
      return { ...result, declined: e.error, state: e.state, jweEnc: s.jweHeader?.enc };
    }
    const parsed = await verifier.parseOpenid4vpAuthorizationResponse({
      authorizationResponse: form,
      authorizationRequestPayload: s.payload,
      callbacks,
    });
    result.state = parsed.authorizationResponsePayload.state;
    result.jarm = parsed.jarm ? parsed.jarm.type : undefined;
    result.jweEnc = s.jweHeader?.enc;
    result.presentations = {};
    const now = Math.floor(Date.now() / 1000);
    for (const [queryId, presentations] of Object.entries(parsed.dcql.presentations)) {
      result.presentations[queryId] = [];
      for (const p of presentations) {
        const sdjwt = new SDJwtVcInstance({
          hasher: digest,
          verifier: issuerVerifier(p),
          kbVerifier: async (data, sig, payload) => (await ES256.getVerifier(payload.cnf.jwk))(data, sig),
        });
        const v = await sdjwt.verify(p, { keyBindingNonce: s.payload.nonce, disableStatusVerification: true });
        if (!v.kb) throw new Error('no KB-JWT');
        if (v.kb.payload.aud !== s.payload.client_id) throw new Error(`KB-JWT aud ${v.kb.payload.aud}`);
        if (Math.abs(now - v.kb.payload.iat) > 300) throw new Error('KB-JWT iat not fresh');
        const { cnf, ...claims } = v.payload;
        result.presentations[queryId].push({ claims, kbAud: v.kb.payload.aud, kbNonce: v.kb.payload.nonce, holderBound: !!cnf?.jwk });
      }
    }
  } catch (e) {
    result.error = String(e?.message ?? e);
  }
  return result;
}

async function createRequest({ clientIdPrefix, responseMode, requestUriMethod, dnsName }) {
  const id = b64u(randomBytes(12));
  const responseUri = `${cfg.base}/response/${id}`;
  const s = {};
  let clientId;
  switch (clientIdPrefix) {
    case 'redirect_uri': clientId = `redirect_uri:${responseUri}`; break;
    case 'x509_san_dns': clientId = `x509_san_dns:${dnsName || cfg.host}`; break; // dnsName: a test of the wallet's binding check
    case 'x509_hash': clientId = `x509_hash:${await calculateX509HashClientIdPrefixValue({ x509Certificate: cfg.x5c[0], hash })}`; break;
    default: throw new Error('unknown prefix ' + clientIdPrefix);
  }
  const payload = {
    response_type: 'vp_token',
    client_id: clientId,
    response_uri: responseUri,
    response_mode: responseMode,
    nonce: b64u(randomBytes(16)),
    state: b64u(randomBytes(16)),
    dcql_query: {
      credentials: [{
        id: 'diploma',
        format: 'dc+sd-jwt',
        meta: { vct_values: ['urn:hashi:diploma:1'] },
        claims: [{ path: ['family_name'] }, { path: ['given_name'] }, { path: ['degree', 'type'] }],
      }],
    },
    client_metadata: { client_name: 'npm verifier', vp_formats_supported: { 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } } },
  };
  if (responseMode === 'direct_post.jwt') {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    s.encJwk = { ...publicKey.export({ format: 'jwk' }), kid: `enc-${id}`, use: 'enc', alg: 'ECDH-ES' };
    s.encKey = await importJWK({ ...privateKey.export({ format: 'jwk' }), alg: 'ECDH-ES' }, 'ECDH-ES');
    payload.client_metadata.jwks = { keys: [s.encJwk] };
    payload.client_metadata.encrypted_response_enc_values_supported = ['A128GCM', 'A256GCM'];
  }
  const signed = clientIdPrefix !== 'redirect_uri';
  s.jar = signed ? {
    requestUri: `${cfg.base}/request/${id}`,
    jwtSigner: { method: 'x5c', alg: 'ES256', x5c: cfg.x5c },
    expiresInSeconds: 300,
  } : undefined;
  const r = await verifier.createOpenId4vpAuthorizationRequest({ authorizationRequestPayload: payload, jar: s.jar });
  s.payload = r.authorizationRequestPayload;
  let link = r.authorizationRequest;
  if (requestUriMethod === 'post') {
    // The library puts only client_id and request_uri in the link.
    s.requestUriMethodPost = true;
    link += '&request_uri_method=post';
  } else {
    s.requestObject = r.jar?.authorizationRequestJwt;
  }
  sessions.set(id, s);
  return { id, link, clientId };
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  try {
    const cmd = JSON.parse(line);
    if (cmd.keyPem) {
      const key = createPrivateKey(cmd.keyPem);
      const jwk = createPublicKey(key).export({ format: 'jwk' });
      cfg = {
        host: cmd.host, base: `http://${cmd.host}:${server.address().port}`, key, x5c: cmd.x5c,
        publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
        issuerCa: new X509Certificate(Buffer.from(cmd.issuerCa, 'base64')),
      };
      out({ ready: true });
    } else if (cmd.request) {
      out(await createRequest(cmd.request));
    } else if (cmd.result) {
      const s = sessions.get(cmd.result);
      out({ result: s ? { ...(s.result ?? { error: 'no response' }), fetched: s.fetched ?? 0, walletNonce: s.walletNonce, walletMetadata: s.walletMetadata } : { error: 'unknown id' } });
    } else {
      out({ error: 'unknown command' });
    }
  } catch (e) {
    out({ error: String(e?.stack ?? e) });
  }
}
server.close();
