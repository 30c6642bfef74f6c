package wallethttp

import "time"

// Named limits. Raise one only with evidence, and say why next to it.
const (
	// MinPasswordLen is the shortest password sign-up accepts, in characters (NIST SP
	// 800-63B allows 8; a wallet holding diplomas asks for more).
	MinPasswordLen = 12
	// MinUsernameLen and MaxUsernameLen bound a username, in characters.
	MinUsernameLen = 3
	MaxUsernameLen = 64
	// SessionMaxAge is how long a session lasts after signing in.
	SessionMaxAge = 12 * time.Hour
	// SignInWindow is the window the sign-in failures are counted in.
	SignInWindow = 15 * time.Minute
	// MaxFailuresPerUsername and MaxFailuresPerClient are the failed sign-ins allowed per
	// username and per client (IP address, or /64 for IPv6) within SignInWindow; further
	// attempts get 429 until the window has passed.
	MaxFailuresPerUsername = 5
	MaxFailuresPerClient   = 20
	// HoldTTL is how long a parsed offer or presentation request is kept server-side
	// between the page that shows it and the student's answer.
	HoldTTL = 15 * time.Minute
	// MaxHeldPerOwner and MaxHeld bound the parsed offers and requests kept in memory per
	// account and in all; the oldest of the account is dropped first.
	MaxHeldPerOwner = 16
	MaxHeld         = 10000
	// MaxFormBody bounds a form post (a pasted link is at most wallet.MaxLinkLength).
	MaxFormBody = 128 << 10
)
