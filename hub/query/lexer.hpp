// Tokens of the IoT Hub query language (reference/iothub-protocol.md 3.7). Keywords are words
// like any other here; the parser compares them without case, so a keyword can still name a
// property after a dot.
//
// Thread safety: a Lexer belongs to one parse.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fleetsim::hub::query {

enum class TokenKind : std::uint8_t {
  end,
  word,          // [A-Za-z_$][A-Za-z0-9_$]* (bytes >= 0x80 too: twin keys may be any UTF-8)
  bracket_name,  // [[any text]] after a dot: a property named like a keyword
  number,        // 12, 1.5, 2e3, 0x1F
  string,        // 'text' or "text" with \' \" \\ \/ \b \f \n \r \t \uXXXX escapes
  star,
  comma,
  dot,
  open_paren,
  close_paren,
  open_bracket,
  close_bracket,
  equal,
  not_equal,  // != or <>
  less,
  less_equal,
  greater,
  greater_equal,
  plus,
  minus,
  slash,
  percent,
  invalid,  // Token::value says what is wrong
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::uint32_t offset = 0;  // byte offset in the query text
  std::string_view text;     // as written
  std::string value;         // string: decoded; bracket_name: the name; invalid: the problem
  double number = 0;
  bool integer = false;  // a number written without fraction or exponent
};

class Lexer {
 public:
  // `text` must outlive the lexer and its tokens; at most 2^32 bytes (the parser checks).
  explicit Lexer(std::string_view text) noexcept : text_(text) {}

  Token next();

  // True if the text right after the last token starts "[[": the parser asks after a dot, the
  // only place a bracketed name may appear (elsewhere "[[" opens nested lists).
  bool at_bracket_name() const noexcept;
  Token bracket_name();

 private:
  Token lex_number(std::size_t start);
  Token lex_string(std::size_t start);
  Token make(TokenKind kind, std::size_t start, std::size_t end) const;
  Token invalid(std::size_t offset, std::size_t end, std::string problem) const;

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace fleetsim::hub::query
