#pragma once
// sd_notify(3) without libsystemd: a datagram to $NOTIFY_SOCKET ("READY=1", "STOPPING=1").
#include <string_view>

namespace og {
// Returns false when NOTIFY_SOCKET is unset or the message could not be sent.
bool sd_notify(std::string_view state);
}  // namespace og
