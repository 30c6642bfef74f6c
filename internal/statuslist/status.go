package statuslist

import "fmt"

// Status is the status value of one Referenced Token (draft-ietf-oauth-status-list-20 §7).
// A list with bits b holds values 0 to 2^b-1.
type Status uint8

// The registered Status Type values (§7.1). 0x03 and 0x0C–0x0F are permanently reserved for
// application-specific use; all other values are reserved for future registration.
const (
	// Valid (0x00, "VALID"): the Referenced Token is valid, correct or legal.
	Valid Status = 0x00
	// Invalid (0x01, "INVALID"): the Referenced Token is revoked, annulled, taken back,
	// recalled or cancelled.
	Invalid Status = 0x01
	// Suspended (0x02, "SUSPENDED"): the Referenced Token is temporarily invalid. A list needs
	// at least 2 bits to carry it.
	Suspended Status = 0x02
	// ApplicationSpecific (0x03) is the first application-specific value; its meaning is agreed
	// outside this specification.
	ApplicationSpecific Status = 0x03
)

// String returns the registered name ("VALID", "INVALID", "SUSPENDED"),
// "APPLICATION_SPECIFIC_0x03" (also 0x0C–0x0F) or "RESERVED_0xNN".
func (s Status) String() string {
	switch {
	case s == Valid:
		return "VALID"
	case s == Invalid:
		return "INVALID"
	case s == Suspended:
		return "SUSPENDED"
	case s == ApplicationSpecific || (s >= 0x0C && s <= 0x0F):
		return fmt.Sprintf("APPLICATION_SPECIFIC_0x%02X", uint8(s))
	default:
		return fmt.Sprintf("RESERVED_0x%02X", uint8(s))
	}
}
