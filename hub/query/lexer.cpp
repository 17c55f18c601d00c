#include "hub/query/lexer.hpp"

#include <charconv>
#include <cstdint>
#include <limits>
#include <system_error>
#include <utility>

namespace fleetsim::hub::query {

namespace {

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

bool is_word_start(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_word_part(char c) noexcept {
  return is_word_start(c) || is_digit(c);
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

Token Lexer::make(TokenKind kind, std::size_t start, std::size_t end) const {
  Token token;
  token.kind = kind;
  token.offset = static_cast<std::uint32_t>(start);
  token.text = text_.substr(start, end - start);
  return token;
}

Token Lexer::invalid(std::size_t offset, std::size_t end, std::string problem) const {
  Token token = make(TokenKind::invalid, offset, end);
  token.value = std::move(problem);
  return token;
}

Token Lexer::next() {
  while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  const std::size_t start = pos_;
  if (pos_ == text_.size()) return make(TokenKind::end, start, start);

  const char c = text_[pos_];
  const char after = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
  const auto single = [&](TokenKind kind) {
    ++pos_;
    return make(kind, start, pos_);
  };
  const auto pair = [&](TokenKind kind) {
    pos_ += 2;
    return make(kind, start, pos_);
  };

  if (is_word_start(c)) {
    while (pos_ < text_.size() && is_word_part(text_[pos_])) ++pos_;
    return make(TokenKind::word, start, pos_);
  }
  if (is_digit(c)) return lex_number(start);
  switch (c) {
    case '\'':
    case '"':
      return lex_string(start);
    case '*':
      return single(TokenKind::star);
    case ',':
      return single(TokenKind::comma);
    case '.':
      return single(TokenKind::dot);
    case '(':
      return single(TokenKind::open_paren);
    case ')':
      return single(TokenKind::close_paren);
    case '[':
      return single(TokenKind::open_bracket);
    case ']':
      return single(TokenKind::close_bracket);
    case '=':
      return single(TokenKind::equal);
    case '!':
      if (after == '=') return pair(TokenKind::not_equal);
      break;
    case '<':
      if (after == '=') return pair(TokenKind::less_equal);
      if (after == '>') return pair(TokenKind::not_equal);
      return single(TokenKind::less);
    case '>':
      if (after == '=') return pair(TokenKind::greater_equal);
      return single(TokenKind::greater);
    case '+':
      return single(TokenKind::plus);
    case '-':
      return single(TokenKind::minus);
    case '/':
      return single(TokenKind::slash);
    case '%':
      return single(TokenKind::percent);
    default:
      break;
  }
  ++pos_;
  std::string problem = "unexpected character ";
  if (c > ' ' && c < 0x7F) {
    problem += '\'';
    problem += c;
    problem += '\'';
  } else {
    static constexpr char hex[] = "0123456789abcdef";
    const auto byte = static_cast<unsigned char>(c);
    problem += "0x";
    problem += hex[byte >> 4];
    problem += hex[byte & 0xF];
  }
  return invalid(start, pos_, std::move(problem));
}

Token Lexer::lex_number(std::size_t start) {
  if (text_[pos_] == '0' && pos_ + 1 < text_.size() && (text_[pos_ + 1] == 'x' || text_[pos_ + 1] == 'X')) {
    pos_ += 2;
    std::uint64_t value = 0;
    const std::size_t digits_start = pos_;
    bool overflow = false;
    while (pos_ < text_.size() && hex_value(text_[pos_]) >= 0) {
      if (value > (std::numeric_limits<std::uint64_t>::max() >> 4)) overflow = true;
      value = (value << 4) | static_cast<std::uint64_t>(hex_value(text_[pos_]));
      ++pos_;
    }
    if (pos_ == digits_start) return invalid(start, pos_, "hexadecimal number without digits");
    if (overflow) return invalid(start, pos_, "number out of range");
    Token token = make(TokenKind::number, start, pos_);
    token.number = static_cast<double>(value);
    token.integer = true;
    return token;
  }

  bool integer = true;
  while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
  if (pos_ + 1 < text_.size() && text_[pos_] == '.' && is_digit(text_[pos_ + 1])) {
    integer = false;
    ++pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    std::size_t exponent = pos_ + 1;
    if (exponent < text_.size() && (text_[exponent] == '+' || text_[exponent] == '-')) ++exponent;
    if (exponent < text_.size() && is_digit(text_[exponent])) {
      integer = false;
      pos_ = exponent;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
  }
  Token token = make(TokenKind::number, start, pos_);
  const auto [end, error] =
      std::from_chars(token.text.data(), token.text.data() + token.text.size(), token.number);
  if (error != std::errc() || end != token.text.data() + token.text.size()) {
    return invalid(start, pos_, "number out of range");
  }
  token.integer = integer;
  return token;
}

Token Lexer::lex_string(std::size_t start) {
  const char quote = text_[pos_++];
  std::string value;
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == quote) {
      ++pos_;
      Token token = make(TokenKind::string, start, pos_);
      token.value = std::move(value);
      return token;
    }
    if (c != '\\') {
      value.push_back(c);
      ++pos_;
      continue;
    }
    const std::size_t escape = pos_;
    if (pos_ + 1 >= text_.size()) break;
    const char e = text_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case '\'':
      case '"':
      case '\\':
      case '/':
        value.push_back(e);
        continue;
      case 'b':
        value.push_back('\b');
        continue;
      case 'f':
        value.push_back('\f');
        continue;
      case 'n':
        value.push_back('\n');
        continue;
      case 'r':
        value.push_back('\r');
        continue;
      case 't':
        value.push_back('\t');
        continue;
      case 'u':
        break;
      default:
        return invalid(escape, pos_, "invalid escape sequence");
    }
    const auto read_hex4 = [&](std::uint32_t& out) {
      if (text_.size() - pos_ < 4) return false;
      out = 0;
      for (int i = 0; i < 4; ++i) {
        const int h = hex_value(text_[pos_ + static_cast<std::size_t>(i)]);
        if (h < 0) return false;
        out = (out << 4) | static_cast<std::uint32_t>(h);
      }
      pos_ += 4;
      return true;
    };
    std::uint32_t cp = 0;
    if (!read_hex4(cp)) return invalid(escape, pos_, "invalid \\u escape: expected four hexadecimal digits");
    if (cp >= 0xDC00 && cp <= 0xDFFF) return invalid(escape, pos_, "invalid \\u escape: lone surrogate");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      // A high surrogate must be followed by \u and a low surrogate: together one code point.
      std::uint32_t low = 0;
      if (text_.substr(pos_, 2) != "\\u") return invalid(escape, pos_, "invalid \\u escape: lone surrogate");
      pos_ += 2;
      if (!read_hex4(low) || low < 0xDC00 || low > 0xDFFF) {
        return invalid(escape, pos_, "invalid \\u escape: lone surrogate");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(value, cp);
  }
  return invalid(start, text_.size(), "unterminated string");
}

bool Lexer::at_bracket_name() const noexcept {
  return text_.substr(pos_, 2) == "[[";
}

Token Lexer::bracket_name() {
  const std::size_t start = pos_;
  const std::size_t close = text_.find("]]", start + 2);
  if (close == std::string_view::npos) {
    pos_ = text_.size();
    return invalid(start, pos_, "unterminated [[name]]");
  }
  pos_ = close + 2;
  if (close == start + 2) return invalid(start, pos_, "empty [[name]]");
  Token token = make(TokenKind::bracket_name, start, pos_);
  token.value = std::string(text_.substr(start + 2, close - start - 2));
  return token;
}

}  // namespace fleetsim::hub::query
