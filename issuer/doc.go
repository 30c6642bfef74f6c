// Package issuer is the OpenID4VCI 1.0 credential issuer core for pilot universities: several
// tenants per deployment, each with its seal key and certificate chain, credential offers
// with pre-authorized codes and tx_code, DPoP-bound access tokens, c_nonce, proof checks,
// SD-JWT VC and jwt_vc_json issuance with Token Status List entries, deferred issuance and
// notifications. It declares Store, which issuer/issuerstore implements over SQLite and
// PostgreSQL; issuer/issuerhttp is its Echo edge. It imports neither Echo nor database/sql.
package issuer
