// header.cpp — http::Header (mirrors Go's http.Header over textproto.MIMEHeader),
// canonical_header_key (textproto.CanonicalMIMEHeaderKey) and status_text.
//
// Fields are kept as a vector of (canonical key, value) pairs in the order
// added rather than Go's map of slices: requests carry a dozen fields, a
// linear scan over them is cheaper than hashing, and the order they were
// added is the order they are sent.
#include <gort/http.hpp>

namespace gort::http {

namespace {

/// A byte of an HTTP token (RFC 7230 tchar), as textproto's validHeaderFieldByte.
bool is_token_byte(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

}  // namespace

// mirrors CanonicalMIMEHeaderKey in net/textproto/reader.go
std::string canonical_header_key(std::string_view key) {
  for (unsigned char c : key) {
    if (!is_token_byte(c)) return std::string(key);
  }
  std::string out(key);
  bool upper = true;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    upper = c == '-';
  }
  return out;
}

std::string Header::get(std::string_view key) const {
  const std::string k = canonical_header_key(key);
  for (const auto& [name, value] : fields_) {
    if (name == k) return value;
  }
  return {};
}

void Header::set(std::string_view key, std::string_view value) {
  del(key);
  fields_.emplace_back(canonical_header_key(key), std::string(value));
}

void Header::add(std::string_view key, std::string_view value) {
  fields_.emplace_back(canonical_header_key(key), std::string(value));
}

std::vector<std::string> Header::values(std::string_view key) const {
  const std::string k = canonical_header_key(key);
  std::vector<std::string> out;
  for (const auto& [name, value] : fields_) {
    if (name == k) out.push_back(value);
  }
  return out;
}

void Header::del(std::string_view key) {
  const std::string k = canonical_header_key(key);
  std::erase_if(fields_, [&](const auto& f) { return f.first == k; });
}

bool Header::has(std::string_view key) const {
  const std::string k = canonical_header_key(key);
  for (const auto& f : fields_) {
    if (f.first == k) return true;
  }
  return false;
}

// mirrors StatusText in net/http/status.go (the codes Go 1.19 names)
std::string_view status_text(int code) {
  switch (code) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 102: return "Processing";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 207: return "Multi-Status";
    case 208: return "Already Reported";
    case 226: return "IM Used";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Request Entity Too Large";
    case 414: return "Request URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Requested Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 418: return "I'm a teapot";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Entity";
    case 423: return "Locked";
    case 424: return "Failed Dependency";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 506: return "Variant Also Negotiates";
    case 507: return "Insufficient Storage";
    case 508: return "Loop Detected";
    case 510: return "Not Extended";
    case 511: return "Network Authentication Required";
    default: return "";
  }
}

}  // namespace gort::http
