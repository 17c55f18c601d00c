// WebSocket framing (RFC 6455 section 5), sans-I/O, for MQTT over WebSocket: data travels in
// binary frames whose boundaries mean nothing (MQTT frames its own packets), so the reader hands
// out payload bytes as a stream and the writer makes one frame per write.
//
// Reading works in place: decode() takes the bytes just read into the caller's buffer, strips
// frame headers, unmasks payloads and moves them to the front of that same buffer. The only
// input state kept between reads is a frame header cut by the end of a read (at most 14 bytes)
// and the position in the current frame.
//
// Writing is two steps so that any number of partial writes can carry a frame: prepare() lays
// the next bytes to send into a scratch chunk (a pending control frame, the rest of the current
// frame header, then payload, masked by a client), commit() is told how many of them the socket
// took. A frame is sized by the first write that starts it; later writes continue it with the
// caller's unwritten rest, which is what every caller of a non-blocking write_some does anyway.
// Once prepared, bytes are committed to: the next prepare() lays out the same bytes again (TLS
// requires a retried write to carry the same bytes).
//
// Control frames: a ping is answered with a pong carrying its payload, a close with a close
// echoing its status code. At most one outgoing control frame waits (it goes out between data
// frames); a newer ping replaces a pong not yet started, and a ping that arrives while a pong is
// half sent goes unanswered (RFC 6455 5.5.3 lets an endpoint answer only some pings).
//
// Masking is not a security feature here (it protects browser-era proxies from cache
// poisoning by scripts, RFC 6455 10.3); the mask keys come from a cheap generator seeded by the
// owner, not from a cryptographic source, which the RFC's "unpredictable" would ask for only
// against hostile scripts sharing the connection.
//
// Size: about 250 bytes (two 14-byte headers, one 131-byte control frame, counters).
//
// Thread safety: none; one Framing per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace fleetsim::transports::ws {

enum class Role : std::uint8_t { client, server };

enum class Opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// Why a received frame was refused; the connection cannot continue after any of these.
enum class Violation : std::uint8_t {
  none,
  reserved_bits,  // RSV1-3 set without a negotiated extension
  unknown_opcode,
  text_frame,             // MQTT travels in binary frames only
  unmasked_client_frame,  // RFC 6455 5.1: a server must close on an unmasked frame
  masked_server_frame,    // ... and a client on a masked one
  non_minimal_length,     // RFC 6455 5.2: the minimal number of bytes must be used
  length_too_large,       // 64-bit length with the most significant bit set
  fragmented_control_frame,
  control_frame_too_long,   // more than 125 bytes
  unexpected_continuation,  // continuation frame without a message to continue
  expected_continuation,    // a new data frame inside a fragmented message
  bad_close_payload,        // a close frame with a 1-byte payload
};
std::string_view describe(Violation violation) noexcept;

inline constexpr std::size_t kMaxHeaderSize = 14;  // 2 + 8 (64-bit length) + 4 (mask)
inline constexpr std::size_t kMaxControlPayload = 125;
inline constexpr std::size_t kMaxControlFrame = 6 + kMaxControlPayload;  // masked, 7-bit length
// prepare() needs room for a control frame, a frame header and at least one payload byte.
inline constexpr std::size_t kMinPrepareSpace = kMaxControlFrame + kMaxHeaderSize + 1;

inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseProtocolError = 1002;

std::size_t header_size(std::uint64_t payload_size, bool masked) noexcept;
// Writes a frame header to `out` (room for header_size()); `mask_key` is nullptr for no mask.
std::size_t encode_header(std::uint8_t* out, Opcode opcode, bool fin, std::uint64_t payload_size,
                          const std::uint8_t* mask_key) noexcept;
// dst[i] = src[i] ^ key[(phase + i) % 4]. `dst` may be `src` or lie before it (compaction).
void mask_copy(std::uint8_t* dst, const std::uint8_t* src, std::size_t size, const std::uint8_t* key,
               std::size_t phase) noexcept;

struct DecodeResult {
  std::size_t payload = 0;  // data payload bytes now at the front of the buffer
  Violation violation = Violation::none;
};

class Framing {
 public:
  Framing(Role role, std::uint64_t seed) noexcept;

  Role role() const noexcept { return role_; }

  // ---- input ----
  // Decodes `bytes` in place. Input after a close frame, or after a violation, is ignored.
  DecodeResult decode(std::span<std::uint8_t> bytes) noexcept;
  bool close_received() const noexcept { return close_received_; }
  // The peer's close status (1005 "no status" when its close frame had none).
  std::uint16_t close_code() const noexcept { return close_code_; }
  // Why the input was refused (none while it is fine).
  Violation violation() const noexcept { return violation_; }
  // True between frames with no partial header held (a clean cut for the input).
  bool input_at_frame_boundary() const noexcept { return !in_payload_ && in_header_len_ == 0; }

  // ---- output ----
  // Lays out in `out` (at least kMinPrepareSpace bytes) what to send next: a waiting control
  // frame when no data frame is under way, the rest of the current frame's header, then payload
  // from the front of `payload` (which starts a new binary frame of payload.size() bytes when
  // none is under way and no close was queued). Returns the number of bytes laid out; 0 when
  // there is nothing to send.
  std::size_t prepare(std::span<const std::uint8_t> payload, std::span<std::uint8_t> out) noexcept;
  // `written` bytes of the last prepare() left; returns how many of them were payload.
  std::size_t commit(std::size_t written) noexcept;

  bool writing_frame() const noexcept { return out_in_frame_; }
  bool control_pending() const noexcept {
    return ctrl_state_ == CtrlState::ready || ctrl_state_ == CtrlState::committed;
  }
  // Queues our close frame; false while another control frame is half sent (try later).
  bool queue_close(std::uint16_t code) noexcept;
  bool close_queued() const noexcept { return close_queued_; }
  bool close_sent() const noexcept { return close_sent_; }

 private:
  enum class CtrlState : std::uint8_t { empty, filling, ready, committed };

  std::size_t header_needed() const noexcept;
  Violation start_frame() noexcept;
  void control_bytes(const std::uint8_t* data, std::size_t size) noexcept;
  void end_frame() noexcept;
  void make_mask(std::uint8_t* key) noexcept;
  void set_control(Opcode opcode, const std::uint8_t* payload, std::size_t size) noexcept;
  bool can_replace_control() const noexcept { return ctrl_state_ != CtrlState::committed && !ctrl_is_close_; }

  Role role_;
  std::uint64_t prng_;

  // input: a header in the making, then the frame's payload
  std::uint8_t in_header_[kMaxHeaderSize];
  std::uint8_t in_header_len_ = 0;
  std::uint8_t in_mask_[4] = {};
  std::uint8_t in_phase_ = 0;  // payload offset % 4, for unmasking
  Opcode in_opcode_ = Opcode::binary;
  bool in_payload_ = false;
  bool in_masked_ = false;
  bool in_fragmented_ = false;  // a data message continues in the next data frame
  bool capturing_ping_ = false;
  std::uint8_t in_control_got_ = 0;
  std::uint8_t close_bytes_[2] = {};
  std::uint64_t in_remaining_ = 0;
  Violation violation_ = Violation::none;
  bool close_received_ = false;
  std::uint16_t close_code_ = 1005;

  // output: one control frame, the current data frame, the layout of the last prepare()
  std::uint8_t ctrl_[kMaxControlFrame];
  std::uint8_t ctrl_len_ = 0;
  std::uint8_t ctrl_sent_ = 0;
  CtrlState ctrl_state_ = CtrlState::empty;
  bool ctrl_is_close_ = false;
  bool close_reply_wanted_ = false;
  bool close_queued_ = false;
  bool close_sent_ = false;
  std::uint8_t out_header_[kMaxHeaderSize];
  std::uint8_t out_header_len_ = 0;
  std::uint8_t out_header_sent_ = 0;
  std::uint8_t out_mask_[4] = {};
  std::uint8_t out_phase_ = 0;
  bool out_in_frame_ = false;
  std::uint64_t out_remaining_ = 0;
  std::uint8_t prepared_ctrl_ = 0;
  std::uint8_t prepared_header_ = 0;
  std::size_t prepared_payload_ = 0;
};

}  // namespace fleetsim::transports::ws
