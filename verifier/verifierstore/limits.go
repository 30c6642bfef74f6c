package verifierstore

// MaxPageSize caps the number of rows one call returns (ClaimWebhooks).
const MaxPageSize = 500
