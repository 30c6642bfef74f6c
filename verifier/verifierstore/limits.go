package verifierstore

// MaxPageSize caps the number of rows one call returns (ClaimWebhooks, RecentRequests).
const MaxPageSize = 500
