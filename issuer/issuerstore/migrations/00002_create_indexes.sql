-- Indexes for the lookup paths of issuer.Store that the primary keys do not cover.

-- +goose Up
-- RedeemOffer: the offer by its pre-authorized code (unique across tenants).
CREATE UNIQUE INDEX issuer_offers_code ON issuer_offers (pre_authorized_code);
-- ListOffers: a tenant's offers, newest first.
CREATE INDEX issuer_offers_tenant_created ON issuer_offers (tenant, created_at, id);
-- ApproveGraduate: the graduate's offers.
CREATE INDEX issuer_offers_graduate ON issuer_offers (tenant, graduate_id);
-- The foreign key from access tokens, and cleanup by offer.
CREATE INDEX issuer_access_tokens_offer ON issuer_access_tokens (offer_id);
-- ListIssuances: a tenant's issuances, newest first, optionally of one offer.
CREATE INDEX issuer_issuances_tenant_issued ON issuer_issuances (tenant, issued_at, id);
CREATE INDEX issuer_issuances_offer_issued ON issuer_issuances (tenant, offer_id, issued_at, id);
-- Notify: the issuances with a notification id.
CREATE INDEX issuer_issuances_notification ON issuer_issuances (tenant, notification_id);
-- AuditLog: a tenant's events, newest first.
CREATE INDEX issuer_audit_tenant_at ON issuer_audit (tenant, at, id);
-- Sweep: expired access tokens.
CREATE INDEX issuer_access_tokens_expires ON issuer_access_tokens (expires_at);

-- +goose Down
DROP INDEX issuer_access_tokens_expires;
DROP INDEX issuer_audit_tenant_at;
DROP INDEX issuer_issuances_notification;
DROP INDEX issuer_issuances_offer_issued;
DROP INDEX issuer_issuances_tenant_issued;
DROP INDEX issuer_access_tokens_offer;
DROP INDEX issuer_offers_graduate;
DROP INDEX issuer_offers_tenant_created;
DROP INDEX issuer_offers_code;
