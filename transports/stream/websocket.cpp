#include "transports/stream/websocket.hpp"

#include <algorithm>
#include <cstring>

namespace fleetsim::transports::ws {
namespace {

constexpr bool is_data(Opcode opcode) noexcept {
  return static_cast<std::uint8_t>(opcode) < 0x8;
}

}  // namespace

std::string_view describe(Violation violation) noexcept {
  switch (violation) {
    case Violation::none:
      return "no violation";
    case Violation::reserved_bits:
      return "frame with reserved bits set";
    case Violation::unknown_opcode:
      return "frame with an unknown opcode";
    case Violation::text_frame:
      return "text frame (MQTT needs binary frames)";
    case Violation::unmasked_client_frame:
      return "unmasked frame from a client";
    case Violation::masked_server_frame:
      return "masked frame from a server";
    case Violation::non_minimal_length:
      return "frame length not minimally encoded";
    case Violation::length_too_large:
      return "frame length above 2^63";
    case Violation::fragmented_control_frame:
      return "fragmented control frame";
    case Violation::control_frame_too_long:
      return "control frame longer than 125 bytes";
    case Violation::unexpected_continuation:
      return "continuation frame outside a message";
    case Violation::expected_continuation:
      return "new message inside a fragmented message";
    case Violation::bad_close_payload:
      return "close frame with a 1-byte payload";
  }
  return "unknown violation";
}

std::size_t header_size(std::uint64_t payload_size, bool masked) noexcept {
  const std::size_t length_bytes = payload_size < 126 ? 0 : payload_size <= 0xFFFF ? 2 : 8;
  return 2 + length_bytes + (masked ? 4 : 0);
}

std::size_t encode_header(std::uint8_t* out, Opcode opcode, bool fin, std::uint64_t payload_size,
                          const std::uint8_t* mask_key) noexcept {
  out[0] = static_cast<std::uint8_t>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(opcode));
  const std::uint8_t mask_bit = mask_key != nullptr ? 0x80 : 0x00;
  std::size_t pos = 2;
  if (payload_size < 126) {
    out[1] = static_cast<std::uint8_t>(mask_bit | payload_size);
  } else if (payload_size <= 0xFFFF) {
    out[1] = mask_bit | 126;
    out[2] = static_cast<std::uint8_t>(payload_size >> 8);
    out[3] = static_cast<std::uint8_t>(payload_size);
    pos = 4;
  } else {
    out[1] = mask_bit | 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(payload_size >> (56 - 8 * i));
    pos = 10;
  }
  if (mask_key != nullptr) {
    std::memcpy(out + pos, mask_key, 4);
    pos += 4;
  }
  return pos;
}

void mask_copy(std::uint8_t* dst, const std::uint8_t* src, std::size_t size, const std::uint8_t* key,
               std::size_t phase) noexcept {
  // Eight bytes at a time. Each word is loaded before it is stored, and dst never runs ahead of
  // src, so compacting in place (dst < src) never reads a byte already overwritten.
  std::uint8_t key8[8];
  for (std::size_t i = 0; i < 8; ++i) key8[i] = key[(phase + i) & 3];
  std::uint64_t word_key;
  std::memcpy(&word_key, key8, 8);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, src + i, 8);
    word ^= word_key;
    std::memcpy(dst + i, &word, 8);
  }
  for (; i < size; ++i) dst[i] = static_cast<std::uint8_t>(src[i] ^ key8[i & 7]);
}

Framing::Framing(Role role, std::uint64_t seed) noexcept : role_(role), prng_(seed) {}

// ---- input ----

std::size_t Framing::header_needed() const noexcept {
  if (in_header_len_ < 2) return 2;
  const std::uint8_t length7 = in_header_[1] & 0x7F;
  const std::size_t length_bytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
  return 2 + length_bytes + ((in_header_[1] & 0x80) != 0 ? 4 : 0);
}

Violation Framing::start_frame() noexcept {
  const std::uint8_t b0 = in_header_[0];
  const std::uint8_t b1 = in_header_[1];
  const bool fin = (b0 & 0x80) != 0;
  if ((b0 & 0x70) != 0) return Violation::reserved_bits;
  in_masked_ = (b1 & 0x80) != 0;
  if (role_ == Role::server && !in_masked_) return Violation::unmasked_client_frame;
  if (role_ == Role::client && in_masked_) return Violation::masked_server_frame;

  const std::uint8_t length7 = b1 & 0x7F;
  std::uint64_t length = length7;
  std::size_t pos = 2;
  if (length7 == 126) {
    length = (std::uint64_t{in_header_[2]} << 8) | in_header_[3];
    if (length < 126) return Violation::non_minimal_length;
    pos = 4;
  } else if (length7 == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | in_header_[2 + i];
    if ((length >> 63) != 0) return Violation::length_too_large;
    if (length <= 0xFFFF) return Violation::non_minimal_length;
    pos = 10;
  }
  if (in_masked_) std::memcpy(in_mask_, in_header_ + pos, 4);

  in_opcode_ = static_cast<Opcode>(b0 & 0x0F);
  switch (in_opcode_) {
    case Opcode::continuation:
      if (!in_fragmented_) return Violation::unexpected_continuation;
      in_fragmented_ = !fin;
      break;
    case Opcode::text:
      return Violation::text_frame;
    case Opcode::binary:
      if (in_fragmented_) return Violation::expected_continuation;
      in_fragmented_ = !fin;
      break;
    case Opcode::close:
    case Opcode::ping:
    case Opcode::pong:
      if (!fin) return Violation::fragmented_control_frame;
      if (length > kMaxControlPayload) return Violation::control_frame_too_long;
      if (in_opcode_ == Opcode::close && length == 1) return Violation::bad_close_payload;
      break;
    default:
      return Violation::unknown_opcode;
  }
  in_remaining_ = length;
  in_phase_ = 0;
  in_control_got_ = 0;
  in_payload_ = true;
  capturing_ping_ = false;
  if (in_opcode_ == Opcode::ping && can_replace_control()) {
    // The pong is built in place as the ping's payload arrives: no second 125-byte buffer.
    std::uint8_t key[4];
    if (role_ == Role::client) make_mask(key);
    const std::size_t h =
        encode_header(ctrl_, Opcode::pong, true, length, role_ == Role::client ? key : nullptr);
    ctrl_len_ = static_cast<std::uint8_t>(h + length);
    ctrl_sent_ = 0;
    ctrl_state_ = CtrlState::filling;
    capturing_ping_ = true;
  }
  return Violation::none;
}

void Framing::control_bytes(const std::uint8_t* data, std::size_t size) noexcept {
  std::uint8_t plain[kMaxControlPayload];
  if (in_masked_) {
    mask_copy(plain, data, size, in_mask_, in_phase_);
  } else {
    std::memcpy(plain, data, size);
  }
  if (in_opcode_ == Opcode::ping && capturing_ping_) {
    const std::size_t h = header_size(0, role_ == Role::client);  // a control payload has a 7-bit length
    std::uint8_t* dst = ctrl_ + h + in_control_got_;
    if (role_ == Role::client) {
      mask_copy(dst, plain, size, ctrl_ + 2, in_control_got_);
    } else {
      std::memcpy(dst, plain, size);
    }
  } else if (in_opcode_ == Opcode::close) {
    for (std::size_t i = 0; i < size && in_control_got_ + i < 2; ++i)
      close_bytes_[in_control_got_ + i] = plain[i];
  }
  in_control_got_ = static_cast<std::uint8_t>(in_control_got_ + size);
}

void Framing::end_frame() noexcept {
  in_payload_ = false;
  switch (in_opcode_) {
    case Opcode::ping:
      if (capturing_ping_) ctrl_state_ = CtrlState::ready;
      capturing_ping_ = false;
      break;
    case Opcode::close:
      close_received_ = true;
      close_code_ =
          in_control_got_ >= 2 ? static_cast<std::uint16_t>((close_bytes_[0] << 8) | close_bytes_[1]) : 1005;
      if (close_queued_) break;  // our close already answers it
      if (ctrl_state_ == CtrlState::committed) {
        close_reply_wanted_ = true;  // after the control frame being sent
      } else {
        set_control(Opcode::close, close_bytes_, in_control_got_ >= 2 ? 2 : 0);
      }
      break;
    default:
      break;
  }
}

DecodeResult Framing::decode(std::span<std::uint8_t> bytes) noexcept {
  if (violation_ != Violation::none || close_received_) return {0, violation_};
  std::uint8_t* p = bytes.data();
  const std::size_t n = bytes.size();
  std::size_t in = 0;
  std::size_t out = 0;
  while (in < n) {
    if (!in_payload_) {
      std::size_t need = header_needed();
      while (in_header_len_ < need && in < n) {
        in_header_[in_header_len_++] = p[in++];
        need = header_needed();
      }
      if (in_header_len_ < need) break;
      in_header_len_ = 0;
      violation_ = start_frame();
      if (violation_ != Violation::none) return {out, violation_};
      if (in_remaining_ == 0) {
        end_frame();
        if (close_received_) break;
      }
      continue;
    }
    const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(in_remaining_, n - in));
    if (is_data(in_opcode_)) {
      if (in_masked_) {
        mask_copy(p + out, p + in, k, in_mask_, in_phase_);
      } else if (out != in) {
        std::memmove(p + out, p + in, k);
      }
      out += k;
    } else {
      control_bytes(p + in, k);
    }
    in += k;
    in_remaining_ -= k;
    in_phase_ = static_cast<std::uint8_t>((in_phase_ + k) & 3);
    if (in_remaining_ == 0) {
      end_frame();
      if (close_received_) break;
    }
  }
  return {out, Violation::none};
}

// ---- output ----

void Framing::make_mask(std::uint8_t* key) noexcept {
  // splitmix64: cheap and well mixed; see the header for why masks need no stronger source.
  prng_ += 0x9E3779B97F4A7C15ULL;
  std::uint64_t z = prng_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  for (int i = 0; i < 4; ++i) key[i] = static_cast<std::uint8_t>(z >> (8 * i));
}

void Framing::set_control(Opcode opcode, const std::uint8_t* payload, std::size_t size) noexcept {
  std::uint8_t key[4];
  const bool masked = role_ == Role::client;
  if (masked) make_mask(key);
  const std::size_t h = encode_header(ctrl_, opcode, true, size, masked ? key : nullptr);
  if (masked) {
    mask_copy(ctrl_ + h, payload, size, key, 0);
  } else {
    std::memcpy(ctrl_ + h, payload, size);
  }
  ctrl_len_ = static_cast<std::uint8_t>(h + size);
  ctrl_sent_ = 0;
  ctrl_state_ = CtrlState::ready;
  ctrl_is_close_ = opcode == Opcode::close;
  if (ctrl_is_close_) close_queued_ = true;
}

bool Framing::queue_close(std::uint16_t code) noexcept {
  if (close_queued_) return true;
  if (ctrl_state_ == CtrlState::committed) return false;
  const std::uint8_t payload[2] = {static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)};
  set_control(Opcode::close, payload, 2);
  return true;
}

std::size_t Framing::prepare(std::span<const std::uint8_t> payload, std::span<std::uint8_t> out) noexcept {
  prepared_ctrl_ = 0;
  prepared_header_ = 0;
  prepared_payload_ = 0;
  std::uint8_t* dst = out.data();
  std::size_t pos = 0;
  if (ctrl_state_ == CtrlState::committed || (ctrl_state_ == CtrlState::ready && !out_in_frame_)) {
    ctrl_state_ = CtrlState::committed;
    prepared_ctrl_ = static_cast<std::uint8_t>(ctrl_len_ - ctrl_sent_);
    std::memcpy(dst, ctrl_ + ctrl_sent_, prepared_ctrl_);
    pos = prepared_ctrl_;
  }
  if (!out_in_frame_ && !payload.empty() && !close_queued_) {
    const bool masked = role_ == Role::client;
    if (masked) make_mask(out_mask_);
    out_header_len_ = static_cast<std::uint8_t>(
        encode_header(out_header_, Opcode::binary, true, payload.size(), masked ? out_mask_ : nullptr));
    out_header_sent_ = 0;
    out_remaining_ = payload.size();
    out_phase_ = 0;
    out_in_frame_ = true;
  }
  if (out_in_frame_) {
    prepared_header_ = static_cast<std::uint8_t>(out_header_len_ - out_header_sent_);
    std::memcpy(dst + pos, out_header_ + out_header_sent_, prepared_header_);
    pos += prepared_header_;
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>({out_remaining_, payload.size(), out.size() - pos}));
    if (role_ == Role::client) {
      mask_copy(dst + pos, payload.data(), take, out_mask_, out_phase_);
    } else if (take > 0) {
      std::memcpy(dst + pos, payload.data(), take);
    }
    prepared_payload_ = take;
    pos += take;
  }
  return pos;
}

std::size_t Framing::commit(std::size_t written) noexcept {
  std::size_t w = written;
  const std::size_t c = std::min<std::size_t>(w, prepared_ctrl_);
  ctrl_sent_ = static_cast<std::uint8_t>(ctrl_sent_ + c);
  w -= c;
  if (prepared_ctrl_ > 0 && ctrl_sent_ == ctrl_len_) {
    if (ctrl_is_close_) close_sent_ = true;
    ctrl_state_ = CtrlState::empty;
    ctrl_len_ = 0;
    ctrl_sent_ = 0;
    if (close_reply_wanted_ && !close_queued_) {
      close_reply_wanted_ = false;
      set_control(Opcode::close, close_bytes_, close_code_ != 1005 ? 2 : 0);
    }
  }
  const std::size_t h = std::min<std::size_t>(w, prepared_header_);
  out_header_sent_ = static_cast<std::uint8_t>(out_header_sent_ + h);
  w -= h;
  const std::size_t p = std::min(w, prepared_payload_);
  out_remaining_ -= p;
  out_phase_ = static_cast<std::uint8_t>((out_phase_ + p) & 3);
  if (out_in_frame_ && out_header_sent_ == out_header_len_ && out_remaining_ == 0) out_in_frame_ = false;
  prepared_ctrl_ = 0;
  prepared_header_ = 0;
  prepared_payload_ = 0;
  return p;
}

}  // namespace fleetsim::transports::ws
