// symbolize.cpp — naming the frames of a stack walk in Go's traceback format
// (mirrors the printing half of traceback.go: traceback1's frame loop,
// printcreatedby, showframe, and funcline/funcname over pclntab).
//
// A walk (traceback.cpp) is a list of physical frames.  Every physical frame
// is expanded into its logical frames with elfutils' libdwfl/libdw — the
// calls the compiler inlined into it, innermost first, from the DWARF inline
// scopes — and each is printed as
//     <demangled name>
//     \t<file>:<line> +0x<pc - function start>
// File and line come from pc-1 for return addresses (Go's tracepc) so a call
// at the end of a line or function is attributed to the call; the offset is
// printed for the physical function only (Go prints none for inlined frames).
// A goroutine's walk ends at goroutine_entry (newproc.cpp), whichever part of
// it (GCC splits its catch path into a .cold clone) the frame is in.
//
// Which frames show (Go's showframe with GOTRACEBACK < system): runtime
// internals are hidden — functions of gort::runtime and gort::detail, what Go
// writes as language (channel operations: gort::Chan<T>'s methods; select:
// gort::select<...>), the go-statement and gort::run trampolines
// (gort::go<...>, gort::run<...> and their lambdas),
// Boost's fcontext switch functions and signal trampolines — and so is the
// tail of the stack below the outermost user frame (std:: plumbing such as
// std::apply, libc's start_thread/clone3/__libc_start_main, _start).  If that
// leaves nothing, the walk is printed again with every frame, as Go does.
// Frame names are classified on their mangled form, which is unambiguous
// where the demangled one (return types, template arguments) is not.
//
// Names.  A physical frame is named by the ELF symbol containing its pc, an
// inlined call by its DWARF linkage name, both demangled.  GCC gives
// internal-linkage functions (anonymous namespaces, lambdas, templates over
// local types) no linkage name, so those inlined calls are named from their
// DWARF scopes and parameter types, spelled as the demangler would spell them
// — save lambda numbers, which DWARF lacks ("{lambda()}" for "{lambda()#1}").
// The inline chain at a pc is found from a per-unit index of function ranges
// built on first use (a lambda's operator() is nested in its enclosing
// function's DIE, which does not cover its code, so pc-pruned searches such
// as dwarf_getscopes miss it).
//
// Frames as data.  symbolize_frames (gort/runtime/internal/symbolize.hpp) is
// the same expansion returned as records — name, file, line, the function's
// declaration line, the physical function's entry — for the profilers of
// pprof/ (Go's runtime.CallersFrames, which runtime/pprof's proto.go calls per
// address); it shares the lock, the caches and the naming with the printers.
//
// Concurrency and signals.  libdw is not thread-safe, so one process-wide
// lock serialises symbolization; the Dwfl is created once (std::call_once)
// under it and kept, with the module and unit indexes.  libdw, the indexes
// and the demangler allocate, and the lock is an ordinary mutex: nothing
// here may run in a signal handler.  A fatal signal's report is symbolized
// in another process instead (crash_report.cpp), which points the symbolizer
// at the crashed process's modules (symbolize_process) before its first use.
// Symbolized frames and built names go to static buffers guarded by the
// lock, so a walk's stack use stays a few KiB.
#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <mutex>
#include <string>
#include <vector>

#include <gort/runtime/internal/symbolize.hpp>

#include "traceback.hpp"

namespace gort::runtime {

namespace {

/// Logical frames one physical frame expands to at most (deeper inline chains
/// keep their innermost calls and the physical function).
constexpr int kMaxInline = 24;

/// Mangled name prefix of the first function of every goroutine (newproc.cpp).
constexpr char kGoroutineEntry[] = "_ZN4gort7runtime12_GLOBAL__N_115goroutine_entry";

// ---- frame classification ------------------------------------------------------

enum class Kind : uint8_t {
  User,     // shown
  Runtime,  // hidden unless show_runtime
  Library,  // std::, system libraries, unknown code: shown only above a user frame
};

bool starts_with(const char* s, const char* prefix) {
  return std::strncmp(s, prefix, std::strlen(prefix)) == 0;
}

/// Reads an Itanium <source-name> (<length><identifier>) at *p; advances *p.
bool source_name(const char** p, const char** id, std::size_t* len) {
  const char* s = *p;
  std::size_t n = 0;
  if (*s < '0' || *s > '9') return false;
  while (*s >= '0' && *s <= '9') n = n * 10 + static_cast<std::size_t>(*s++ - '0');
  if (std::strlen(s) < n) return false;  // malformed
  *id = s;
  *len = n;
  *p = s + n;
  return true;
}

bool ident_is(const char* id, std::size_t len, const char* want) {
  return std::strlen(want) == len && std::memcmp(id, want, len) == 0;
}

/// Classifies a symbol by the outermost scope of its (mangled) name.  Local
/// entities (lambdas, static locals) belong to their enclosing function:
/// _ZZN4gort2goI...E...ENKUlvE_clEv, the closure of gort::go, is runtime.
Kind classify_name(const char* name) {
  if (name == nullptr) return Kind::Library;
  if (name[0] != '_' || name[1] != 'Z') {
    // Boost's switch functions, and the throw hook of throw_trace.cpp (the
    // C++ `throw`, like Go's hidden gopanic frame).
    if (std::strcmp(name, "jump_fcontext") == 0 || std::strcmp(name, "make_fcontext") == 0 ||
        std::strcmp(name, "ontop_fcontext") == 0 || std::strcmp(name, "__cxa_throw") == 0) {
      return Kind::Runtime;
    }
    if (std::strcmp(name, "_start") == 0 || std::strcmp(name, "__restore_rt") == 0) return Kind::Library;
    return Kind::User;
  }
  const char* p = name + 2;
  while (*p == 'Z') ++p;  // <local-name> ::= Z <function encoding> E <entity name>
  if (*p == 'L') ++p;     // internal linkage
  if (*p == 'N') {
    ++p;
    while (*p == 'r' || *p == 'V' || *p == 'K' || *p == 'R' || *p == 'O') ++p;  // qualifiers
  }
  if (p[0] == 'S' && p[1] == 't') return Kind::Library;  // ::std::
  const char* id;
  std::size_t len;
  if (!source_name(&p, &id, &len)) return Kind::User;
  if (ident_is(id, len, "__gnu_cxx") || ident_is(id, len, "__cxxabiv1")) return Kind::Library;
  if (!ident_is(id, len, "gort")) return Kind::User;
  if (!source_name(&p, &id, &len)) return Kind::User;
  // gort::runtime and gort::detail (the channel implementation, select's core).
  if (ident_is(id, len, "runtime") || ident_is(id, len, "detail")) return Kind::Runtime;
  // What Go spells as language: a channel operation (Go's hidden
  // runtime.chanrecv1/chansend1/closechan) is gort::Chan<T>'s methods, a select
  // statement (runtime.selectgo) gort::select<...>, a go statement (newproc)
  // and the program's entry gort::go<...>/gort::run<...> (templates: an 'I'
  // follows the name).
  if (*p == 'I') {
    for (const char* language : {"Chan", "select", "go", "run"}) {
      if (ident_is(id, len, language)) return Kind::Runtime;
    }
  }
  // The library Go writes in Go and shows: gort::WaitGroup::wait as
  // sync.(*WaitGroup).Wait, gort::sleep as time.Sleep, gort::blocking as a
  // syscall package frame.
  return Kind::User;
}

/// Whether a module lives with the system's libraries (libc, libstdc++,
/// ld.so, sanitizer runtimes, the vDSO) rather than being the program's.
bool is_system_module(const char* path) {
  if (path == nullptr) return true;
  return starts_with(path, "/lib/") || starts_with(path, "/lib64/") || starts_with(path, "/usr/lib/") ||
         starts_with(path, "/usr/lib64/") || starts_with(path, "[vdso") || starts_with(path, "linux-vdso");
}

Kind classify(const char* name, bool system_module) {
  const Kind k = classify_name(name);
  if (k == Kind::Runtime) return k;
  return system_module ? Kind::Library : k;
}

// ---- the symbolizer ------------------------------------------------------------

struct Symbolizer {
  std::mutex mu;
  std::once_flag once;
  Dwfl* dwfl = nullptr;
  int pid = 0;  // whose modules are read: this process (0) or a crashed one (symbolize_process)
};

constinit Symbolizer g_sym;

char* g_debuginfo_path = nullptr;

// Separate debug files are looked up by build id only (Debian's -dbgsym
// packages): dwfl_standard_find_debuginfo may ask a debuginfod server over the
// network, which a crashing program must not do.
const Dwfl_Callbacks kDwflCallbacks = {
    .find_elf = dwfl_linux_proc_find_elf,
    .find_debuginfo = dwfl_build_id_find_debuginfo,
    .section_address = nullptr,
    .debuginfo_path = &g_debuginfo_path,
};

void report_modules(Dwfl* dwfl, bool add) {
  if (add) {
    dwfl_report_begin_add(dwfl);
  } else {
    dwfl_report_begin(dwfl);
  }
  dwfl_linux_proc_report(dwfl, g_sym.pid != 0 ? g_sym.pid : getpid());
  dwfl_report_end(dwfl, nullptr, nullptr);
}

void init_dwfl() {
  Dwfl* dwfl = dwfl_begin(&kDwflCallbacks);
  if (dwfl == nullptr) return;
  report_modules(dwfl, false);
  g_sym.dwfl = dwfl;
}

/// Holds the symbolizer for one walk.  dwfl() is null when libdw could not start.
class SymbolizerLock {
 public:
  SymbolizerLock() {
    g_sym.mu.lock();
    std::call_once(g_sym.once, init_dwfl);
    dwfl_ = g_sym.dwfl;
  }
  ~SymbolizerLock() { g_sym.mu.unlock(); }
  SymbolizerLock(const SymbolizerLock&) = delete;
  SymbolizerLock& operator=(const SymbolizerLock&) = delete;

  Dwfl* dwfl() const { return dwfl_; }

  /// The module containing pc; rereads the process's mappings once per walk
  /// when pc is in none (a library loaded after the first traceback).
  Dwfl_Module* module_at(uintptr_t pc) {
    if (dwfl_ == nullptr) return nullptr;
    Dwfl_Module* mod = dwfl_addrmodule(dwfl_, pc);
    if (mod == nullptr && !refreshed_) {
      refreshed_ = true;
      report_modules(dwfl_, true);
      mod = dwfl_addrmodule(dwfl_, pc);
    }
    return mod;
  }

 private:
  Dwfl* dwfl_ = nullptr;
  bool refreshed_ = false;
};

/// One logical frame.  Strings point into libdw's data or into g_syms.arena,
/// and stay valid while the symbolizer is held and the walk lasts.
struct Frame {
  const char* mangled;  // linkage (or ELF symbol) name, printed demangled; may be null
  const char* text;     // the name built from DWARF when there is no linkage name
  const char* file;     // null if unknown
  int line;
  int start_line;       // the function's declaration line (DW_AT_decl_line); 0 if unknown
  bool inlined;
  Kind kind;
};

/// Logical frames one walk keeps (100 physical frames, a few inlined calls each).
constexpr int kMaxLogical = 1024;

/// One walk's symbolized frames.  Static, because walks must keep their stack
/// frames small; guarded by the symbolizer lock.
struct WalkSymbols {
  Frame frames[kMaxLogical];
  int first[kMaxFrames + 1];  // physical frame i has frames [first[i], first[i+1])
  uintptr_t entry[kMaxFrames];
  char arena[32 * 1024];      // names built from DWARF
  std::size_t used;
};

WalkSymbols g_syms;

// Per-module index of function symbols.  dwfl_module_addrinfo scans the whole
// symbol table on every call (libstdc++ and libc have thousands of symbols);
// the first lookup in a module sorts its functions once instead.

struct FuncSym {
  uintptr_t lo, hi;  // [lo, hi); hi == lo for a symbol without size
  const char* name;
  int rank;          // among aliases at one address: global > weak > local, then sized
};

struct ModuleSyms {
  Dwfl_Module* mod;
  std::vector<FuncSym> syms;
};

std::deque<ModuleSyms>* g_modsyms = nullptr;  // under the symbolizer lock; kept

const std::vector<FuncSym>& module_symbols(Dwfl_Module* mod) {
  if (g_modsyms == nullptr) g_modsyms = new std::deque<ModuleSyms>();
  for (const ModuleSyms& m : *g_modsyms) {
    if (m.mod == mod) return m.syms;
  }
  g_modsyms->push_back(ModuleSyms{mod, {}});
  std::vector<FuncSym>& v = g_modsyms->back().syms;
  const int n = dwfl_module_getsymtab(mod);
  for (int i = 1; i < n; ++i) {
    GElf_Sym sym;
    GElf_Addr addr = 0;
    GElf_Word shndx = 0;
    const char* name = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, nullptr, nullptr);
    if (name == nullptr || name[0] == '\0' || shndx == SHN_UNDEF) continue;
    const int type = GELF_ST_TYPE(sym.st_info);
    if (type != STT_FUNC && type != STT_GNU_IFUNC) continue;
    const int bind = GELF_ST_BIND(sym.st_info);
    const int rank = (bind == STB_GLOBAL ? 4 : bind == STB_WEAK ? 2 : 0) + (sym.st_size != 0 ? 1 : 0);
    v.push_back(FuncSym{static_cast<uintptr_t>(addr), static_cast<uintptr_t>(addr + sym.st_size), name, rank});
  }
  std::sort(v.begin(), v.end(), [](const FuncSym& a, const FuncSym& b) {
    return a.lo != b.lo ? a.lo < b.lo : a.rank > b.rank;
  });
  // One entry per address: the best-ranked alias's name, the largest size.
  std::size_t out = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && v[out - 1].lo == v[i].lo) {
      v[out - 1].hi = std::max(v[out - 1].hi, v[i].hi);
    } else {
      v[out++] = v[i];
    }
  }
  v.resize(out);
  return v;
}

/// The function symbol containing tpc: its name, and its start in *entry.
const char* symbol_at(Dwfl_Module* mod, uintptr_t tpc, uintptr_t* entry) {
  *entry = 0;
  const std::vector<FuncSym>& v = module_symbols(mod);
  auto it = std::upper_bound(v.begin(), v.end(), tpc, [](uintptr_t pc, const FuncSym& s) { return pc < s.lo; });
  for (int k = 0; k < 4 && it != v.begin(); ++k) {
    --it;
    if (tpc < it->hi || (k == 0 && it->hi == it->lo)) {
      *entry = it->lo;
      return it->name;
    }
  }
  return nullptr;
}

// ---- DWARF: the inline chain at a pc -------------------------------------------

/// Finds, among first and its siblings, the block of code containing pc: an
/// inlined call or a lexical block.
bool find_code(Dwarf_Die* first, Dwarf_Addr pc, Dwarf_Die* found) {
  Dwarf_Die d = *first;
  do {
    switch (dwarf_tag(&d)) {
      case DW_TAG_inlined_subroutine:
      case DW_TAG_lexical_block:
      case DW_TAG_try_block:
      case DW_TAG_catch_block:
        if (dwarf_haspc(&d, pc) > 0) {
          *found = d;
          return true;
        }
        break;
      default:
        break;
    }
  } while (dwarf_siblingof(&d, &d) == 0);
  return false;
}

// Per-unit index of function code.  Where a function's DIE sits cannot be
// told from pc ranges alone: GCC nests the definition of a local class's
// member — every lambda's operator() — inside the enclosing function's DIE,
// which, inlined or not, does not cover the lambda's code (so libdw's
// dwarf_getscopes and eu-addr2line miss them).  The first lookup in a unit
// walks it once and records every subprogram's ranges, sorted.

struct CodeRange {
  Dwarf_Addr lo, hi;
  Dwarf_Off die;
};

struct UnitIndex {
  const void* unit;  // Dwarf_CU*
  std::vector<CodeRange> ranges;
};

std::deque<UnitIndex>* g_units = nullptr;  // under the symbolizer lock; kept

void index_subprograms(Dwarf_Die* parent, std::vector<CodeRange>* out, int depth) {
  Dwarf_Die c;
  if (depth > 64 || dwarf_child(parent, &c) != 0) return;
  do {
    const int tag = dwarf_tag(&c);
    switch (tag) {
      case DW_TAG_formal_parameter:
      case DW_TAG_variable:
      case DW_TAG_call_site:
      case DW_TAG_GNU_call_site:
      case DW_TAG_enumeration_type:
      case DW_TAG_array_type:
      case DW_TAG_subroutine_type:
      case DW_TAG_template_type_parameter:
      case DW_TAG_template_value_parameter:
      case DW_TAG_GNU_template_parameter_pack:
      case DW_TAG_GNU_formal_parameter_pack:
        continue;  // hold no function definitions
      case DW_TAG_subprogram: {
        Dwarf_Addr base, lo, hi;
        ptrdiff_t off = 0;
        while ((off = dwarf_ranges(&c, off, &base, &lo, &hi)) > 0) {
          if (lo < hi) out->push_back(CodeRange{lo, hi, dwarf_dieoffset(&c)});
        }
        break;
      }
      default:
        break;
    }
    if (dwarf_haschildren(&c)) index_subprograms(&c, out, depth + 1);
  } while (dwarf_siblingof(&c, &c) == 0);
}

const std::vector<CodeRange>& unit_index(Dwarf_Die* cu) {
  if (g_units == nullptr) g_units = new std::deque<UnitIndex>();
  for (const UnitIndex& u : *g_units) {
    if (u.unit == cu->cu) return u.ranges;
  }
  g_units->push_back(UnitIndex{cu->cu, {}});
  std::vector<CodeRange>& r = g_units->back().ranges;
  index_subprograms(cu, &r, 0);
  std::sort(r.begin(), r.end(), [](const CodeRange& a, const CodeRange& b) { return a.lo < b.lo; });
  return r;
}

/// The DIEs whose code contains pc, outermost (the function) first: the
/// concrete tree of inlined calls and blocks.
int code_chain(Dwarf* dbg, Dwarf_Die* cu, Dwarf_Addr pc, Dwarf_Die* chain, int max) {
  if (max <= 0) return 0;
  const std::vector<CodeRange>& r = unit_index(cu);
  auto it = std::upper_bound(r.begin(), r.end(), pc, [](Dwarf_Addr a, const CodeRange& c) { return a < c.lo; });
  // Ranges of distinct functions do not overlap; look back a little for safety.
  bool found = false;
  for (int k = 0; k < 8 && it != r.begin() && !found; ++k) {
    --it;
    found = pc >= it->lo && pc < it->hi && dwarf_offdie(dbg, it->die, &chain[0]) != nullptr;
  }
  if (!found) return 0;
  int n = 1;
  Dwarf_Die child;
  while (n < max && dwarf_child(&chain[n - 1], &child) == 0 && find_code(&child, pc, &chain[n])) ++n;
  return n;
}

/// The path from die's unit down to die: path[0] a child of the unit,
/// path[n-1] die itself; 0 if not found.  Descends only into the one child
/// whose extent holds die's offset (DIEs nest contiguously in .debug_info).
int die_path(Dwarf_Die* die, Dwarf_Die* path, int max) {
  Dwarf_Die cu;
  if (dwarf_diecu(die, &cu, nullptr, nullptr) == nullptr) return 0;
  const Dwarf_Off target = dwarf_dieoffset(die);
  Dwarf_Die cur = cu;
  int n = 0;
  while (n < max) {
    Dwarf_Die child;
    if (dwarf_child(&cur, &child) != 0) return 0;
    for (;;) {
      const Dwarf_Off off = dwarf_dieoffset(&child);
      if (off == target) {
        path[n++] = child;
        return n;
      }
      if (off > target) return 0;
      Dwarf_Die next;
      if (dwarf_siblingof(&child, &next) != 0 || dwarf_dieoffset(&next) > target) break;  // inside child
      child = next;
    }
    path[n++] = child;
    cur = child;
  }
  return 0;
}

bool ref_attr(Dwarf_Die* die, int name, Dwarf_Die* out, bool integrate) {
  Dwarf_Attribute attr;
  Dwarf_Attribute* a = integrate ? dwarf_attr_integrate(die, name, &attr) : dwarf_attr(die, name, &attr);
  return a != nullptr && dwarf_formref_die(a, out) != nullptr;
}

/// A DIE's linkage (mangled) name, through abstract origins and declarations.
const char* linkage_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  const char* name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
  if (name == nullptr) name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
  return name;
}

// ---- DWARF: names of functions without a linkage name ---------------------------
//
// GCC gives internal-linkage functions (anonymous namespaces, lambdas, templates
// over local types) no linkage name, and a call inlined from one has only its
// plain DW_AT_name ("operator()").  Their names are rebuilt from the DWARF
// scopes in the demangler's spelling:
//   gort::runtime::(anonymous namespace)::switch_to(gort::runtime::G*, ...)
//   (anonymous namespace)::f()::{lambda()}::operator()() const
// (DWARF does not number lambdas, so "{lambda()#1}" loses its "#1").

std::size_t demangle_limit();

/// A string under construction in g_syms.arena; truncated when the arena is full.
struct NameOut {
  char* buf;
  std::size_t cap;
  std::size_t len = 0;

  void put(const char* s, std::size_t n) {
    if (cap == 0) return;
    if (len + n > cap - 1) n = cap - 1 - len;
    std::memcpy(buf + len, s, n);
    len += n;
  }
  void put(const char* s) { put(s, std::strlen(s)); }
};

NameOut name_begin() {
  const std::size_t avail = sizeof g_syms.arena - g_syms.used;
  return NameOut{g_syms.arena + g_syms.used, avail};
}

const char* name_end(NameOut& o) {
  if (o.cap == 0) return "?";
  o.buf[o.len] = '\0';
  g_syms.used += o.len + 1;
  return o.buf;
}

/// Copies a DWARF name, spelling GCC's "<lambda(int)>" as the demangler's "{lambda(int)}".
void put_ident(NameOut& o, const char* s) {
  int lambda_paren[8];
  int nlambda = 0, paren = 0;
  for (std::size_t i = 0; s[i] != '\0';) {
    if (std::strncmp(s + i, "<lambda(", 8) == 0 && nlambda < 8) {
      o.put("{lambda(");
      lambda_paren[nlambda++] = ++paren;
      i += 8;
      continue;
    }
    if (s[i] == '(') ++paren;
    if (s[i] == ')') {
      if (nlambda > 0 && lambda_paren[nlambda - 1] == paren && s[i + 1] == '>') {
        o.put(")}");
        --nlambda;
        --paren;
        i += 2;
        continue;
      }
      --paren;
    }
    o.put(s + i, 1);
    ++i;
  }
}

void put_demangled(NameOut& o, const char* mangled) {
  if (std::strlen(mangled) <= demangle_limit()) {
    int status = 0;
    char* d = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    if (status == 0 && d != nullptr) {
      o.put(d);
      std::free(d);
      return;
    }
    std::free(d);
  }
  o.put(mangled);
}

constexpr int kMaxNameDepth = 8;   // nesting of functions and types in one name
constexpr int kMaxScopeDepth = 16;

Kind put_function(NameOut& o, Dwarf_Die* fn, int depth);
void put_type(NameOut& o, Dwarf_Die* type, int depth);
void put_class_name(NameOut& o, Dwarf_Die* cls, int depth);

struct ScopeInfo {
  Kind kind = Kind::User;
  bool directly_in_gort = false;  // the scope is exactly namespace gort
};

/// Writes the scopes enclosing die ("ns::Class::"), as far out as the innermost
/// enclosing function (which is written whole: "f(int)::").  Returns what the
/// outermost scope says about the entity: runtime, standard library or user.
ScopeInfo put_scope_prefix(NameOut& o, Dwarf_Die* die, int depth) {
  ScopeInfo info;
  Dwarf_Die path[kMaxScopeDepth];
  const int n = die_path(die, path, kMaxScopeDepth);
  if (n <= 1) return info;
  int start = 0;
  for (int i = n - 2; i >= 0; --i) {
    if (dwarf_tag(&path[i]) == DW_TAG_subprogram) {
      info.kind = put_function(o, &path[i], depth + 1);
      o.put("::");
      start = i + 1;
      break;
    }
  }
  if (start == 0 && dwarf_tag(&path[0]) == DW_TAG_namespace) {
    const char* ns = dwarf_diename(&path[0]);
    if (ns != nullptr && (std::strcmp(ns, "std") == 0 || std::strcmp(ns, "__gnu_cxx") == 0)) {
      info.kind = Kind::Library;
    } else if (ns != nullptr && std::strcmp(ns, "gort") == 0) {
      info.directly_in_gort = n == 2;
      const char* ns2 = n > 2 && dwarf_tag(&path[1]) == DW_TAG_namespace ? dwarf_diename(&path[1]) : nullptr;
      if (ns2 != nullptr && std::strcmp(ns2, "runtime") == 0) info.kind = Kind::Runtime;
    }
  }
  for (int i = start; i < n - 1; ++i) {
    const char* name = dwarf_diename(&path[i]);
    switch (dwarf_tag(&path[i])) {
      case DW_TAG_namespace:
        o.put(name != nullptr ? name : "(anonymous namespace)");
        o.put("::");
        break;
      case DW_TAG_class_type:
      case DW_TAG_structure_type:
      case DW_TAG_union_type:
      case DW_TAG_enumeration_type:
        put_class_name(o, &path[i], depth);
        o.put("::");
        break;
      default:  // lexical blocks
        break;
    }
  }
  return info;
}

void put_params(NameOut& o, Dwarf_Die* fn, int depth, bool with_const = true);

/// A class's own name; GCC leaves a lambda's closure type unnamed, and the
/// demangler calls it {lambda(<parameters of its operator()>)}.
void put_class_name(NameOut& o, Dwarf_Die* cls, int depth) {
  if (const char* name = dwarf_diename(cls)) {
    put_ident(o, name);
    return;
  }
  Dwarf_Die c;
  if (dwarf_child(cls, &c) == 0) {
    do {
      const char* member = dwarf_tag(&c) == DW_TAG_subprogram ? dwarf_diename(&c) : nullptr;
      if (member != nullptr && std::strcmp(member, "operator()") == 0) {
        o.put("{lambda");
        put_params(o, &c, depth, false);
        o.put("}");
        return;
      }
    } while (dwarf_siblingof(&c, &c) == 0);
  }
  o.put("{unnamed type}");
}

/// "(T1, T2...)" from fn's parameters, then " const" for a const member function.
void put_params(NameOut& o, Dwarf_Die* fn, int depth, bool with_const) {
  o.put("(");
  bool first = true, const_this = false;
  Dwarf_Die c;
  if (dwarf_child(fn, &c) == 0) {
    do {
      const int tag = dwarf_tag(&c);
      if (tag == DW_TAG_unspecified_parameters) {
        o.put(first ? "..." : ", ...");
        first = false;
        continue;
      }
      if (tag != DW_TAG_formal_parameter) continue;
      Dwarf_Die t;
      const bool typed = ref_attr(&c, DW_AT_type, &t, true);
      Dwarf_Attribute attr;
      bool artificial = false;
      if (dwarf_formflag(dwarf_attr_integrate(&c, DW_AT_artificial, &attr), &artificial) == 0 && artificial) {
        // `this`: a pointer (itself perhaps const) to a const class for a const member function.
        Dwarf_Die p = t, pointee;
        if (typed && dwarf_tag(&p) == DW_TAG_const_type && !ref_attr(&p, DW_AT_type, &p, false)) continue;
        const_this = typed && dwarf_tag(&p) == DW_TAG_pointer_type && ref_attr(&p, DW_AT_type, &pointee, false) &&
                     dwarf_tag(&pointee) == DW_TAG_const_type;
        continue;
      }
      if (!first) o.put(", ");
      first = false;
      put_type(o, typed ? &t : nullptr, depth + 1);
    } while (dwarf_siblingof(&c, &c) == 0);
  }
  o.put(")");
  if (const_this && with_const) o.put(" const");
}

/// A type as the demangler spells it: qualifiers after ("char const*"),
/// typedefs resolved ("_IO_FILE*" for FILE*).
void put_type(NameOut& o, Dwarf_Die* t, int depth) {
  if (t == nullptr) {
    o.put("void");
    return;
  }
  if (depth > kMaxNameDepth) {
    o.put("?");
    return;
  }
  Dwarf_Die inner;
  const bool has_inner = ref_attr(t, DW_AT_type, &inner, false);
  const char* name = dwarf_diename(t);
  switch (dwarf_tag(t)) {
    case DW_TAG_base_type:
    case DW_TAG_unspecified_type:
      o.put(name != nullptr ? name : "?");
      break;
    case DW_TAG_pointer_type:
      if (has_inner && dwarf_tag(&inner) == DW_TAG_subroutine_type) {
        Dwarf_Die ret;
        const bool has_ret = ref_attr(&inner, DW_AT_type, &ret, false);
        put_type(o, has_ret ? &ret : nullptr, depth + 1);
        o.put(" (*)");
        put_params(o, &inner, depth);
      } else {
        put_type(o, has_inner ? &inner : nullptr, depth + 1);
        o.put("*");
      }
      break;
    case DW_TAG_reference_type:
      put_type(o, has_inner ? &inner : nullptr, depth + 1);
      o.put("&");
      break;
    case DW_TAG_rvalue_reference_type:
      put_type(o, has_inner ? &inner : nullptr, depth + 1);
      o.put("&&");
      break;
    case DW_TAG_const_type:
      put_type(o, has_inner ? &inner : nullptr, depth + 1);
      o.put(" const");
      break;
    case DW_TAG_volatile_type:
      put_type(o, has_inner ? &inner : nullptr, depth + 1);
      o.put(" volatile");
      break;
    case DW_TAG_typedef:
    case DW_TAG_restrict_type:
    case DW_TAG_atomic_type:
      put_type(o, has_inner ? &inner : nullptr, depth + 1);
      break;
    case DW_TAG_class_type:
    case DW_TAG_structure_type:
    case DW_TAG_union_type:
    case DW_TAG_enumeration_type:
      put_scope_prefix(o, t, depth);
      put_class_name(o, t, depth);
      break;
    case DW_TAG_array_type:
      put_type(o, has_inner ? &inner : nullptr, depth + 1);
      o.put(" []");
      break;
    default:
      o.put(name != nullptr ? name : "?");
      break;
  }
}

/// Writes function fn's full name ("ns::f(int)"), from its linkage name when it
/// has one; returns its classification.
Kind put_function(NameOut& o, Dwarf_Die* fn, int depth) {
  if (depth > kMaxNameDepth) {
    o.put("?");
    return Kind::User;
  }
  Dwarf_Die d = *fn, next;
  for (int i = 0; i < 4 && ref_attr(&d, DW_AT_abstract_origin, &next, false); ++i) d = next;
  if (const char* mangled = linkage_name(&d)) {
    put_demangled(o, mangled);
    return classify_name(mangled);
  }
  Dwarf_Die decl = d;
  for (int i = 0; i < 4 && ref_attr(&decl, DW_AT_specification, &next, false); ++i) decl = next;
  const char* name = dwarf_diename(&decl);
  if (name == nullptr) name = "?";
  const ScopeInfo scope = put_scope_prefix(o, &decl, depth);
  put_ident(o, name);
  put_params(o, dwarf_haschildren(&decl) ? &decl : &d, depth);
  if (scope.directly_in_gort && (starts_with(name, "go<") || starts_with(name, "run<"))) return Kind::Runtime;
  return scope.kind;
}

/// Names one function DIE of the inline chain into f.
void name_frame(Dwarf_Die* fn, bool system, Frame* f) {
  f->start_line = 0;
  dwarf_decl_line(fn, &f->start_line);  // through the abstract origin and declaration
  Dwarf_Die d = *fn, origin;
  if (ref_attr(&d, DW_AT_abstract_origin, &origin, false)) d = origin;
  f->mangled = linkage_name(&d);
  f->text = nullptr;
  if (f->mangled != nullptr) {
    f->kind = classify(f->mangled, system);
    return;
  }
  NameOut o = name_begin();
  const Kind k = put_function(o, fn, 0);
  f->text = name_end(o);
  f->kind = k == Kind::Runtime ? k : (system ? Kind::Library : k);
}

/// Expands the physical frame at lookup address tpc into at most max logical
/// frames, innermost first; the last is the physical function.  *entry
/// receives the physical function's start (0 if unknown).
int expand(SymbolizerLock& sl, uintptr_t tpc, Frame* out, int max, uintptr_t* entry) {
  *entry = 0;
  if (max <= 0) return 0;
  Dwfl_Module* mod = sl.module_at(tpc);
  if (mod == nullptr) {
    out[0] = Frame{nullptr, nullptr, nullptr, 0, 0, false, Kind::Library};
    return 1;
  }
  const char* path = dwfl_module_info(mod, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
  const bool system = is_system_module(path);
  const char* sym = symbol_at(mod, tpc, entry);

  const char* file = nullptr;
  int line = 0;
  if (Dwfl_Line* l = dwfl_module_getsrc(mod, tpc)) {
    file = dwfl_lineinfo(l, nullptr, &line, nullptr, nullptr, nullptr);
  }

  int n = 0;
  Dwarf_Die chain[kMaxInline + 8];
  int nchain = 0;
  Dwarf_Addr bias = 0;
  Dwarf_Die* cu = dwfl_module_addrdie(mod, tpc, &bias);
  Dwarf* dbg = cu != nullptr ? dwfl_module_getdwarf(mod, &bias) : nullptr;
  if (dbg != nullptr) {
    nchain = code_chain(dbg, cu, tpc - bias, chain, kMaxInline + 8);
    Dwarf_Files* files = nullptr;
    if (dwarf_getsrcfiles(cu, &files, nullptr) != 0) files = nullptr;
    for (int i = nchain - 1; i >= 1; --i) {
      if (dwarf_tag(&chain[i]) != DW_TAG_inlined_subroutine) continue;  // lexical blocks
      if (n < max - 1) {
        Frame& f = out[n++];
        name_frame(&chain[i], system, &f);
        f.file = file;
        f.line = line;
        f.inlined = true;
      }
      // The caller continues at the inlined call's site.
      Dwarf_Attribute attr;
      Dwarf_Word v = 0;
      file = nullptr;
      line = 0;
      if (files != nullptr && dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_file, &attr), &v) == 0) {
        file = dwarf_filesrc(files, v, nullptr, nullptr);
      }
      if (dwarf_formudata(dwarf_attr(&chain[i], DW_AT_call_line, &attr), &v) == 0) line = static_cast<int>(v);
    }
  }
  Frame& f = out[n++];
  if (sym != nullptr || nchain == 0) {
    f.mangled = sym;
    f.text = nullptr;
    f.kind = classify(sym, system);
    f.start_line = 0;
    if (nchain > 0) dwarf_decl_line(&chain[0], &f.start_line);
  } else {
    name_frame(&chain[0], system, &f);
  }
  f.file = file;
  f.line = line;
  f.inlined = false;
  return n;
}

// ---- printing ------------------------------------------------------------------

/// Longest mangled name to demangle here.  __cxa_demangle keeps arrays of
/// about 72 bytes per input character on the stack; on the alternate signal
/// stack only the room left decides.
std::size_t demangle_limit() {
  stack_t ss;
  if (sigaltstack(nullptr, &ss) == 0 && (ss.ss_flags & SS_ONSTACK) != 0) {
    const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    const auto lo = reinterpret_cast<uintptr_t>(ss.ss_sp);
    constexpr uintptr_t kReserve = 16 * 1024;
    if (here < lo + kReserve) return 0;
    return (here - lo - kReserve) / 96;
  }
  return 4096;
}

/// Passes f's name to put (a callable taking a const char*), demangled.
template <class Put>
void put_frame_name(const Frame& f, Put put) {
  if (f.text != nullptr) {
    put(f.text);
    return;
  }
  const char* name = f.mangled;
  if (name == nullptr) {
    put("?");
    return;
  }
  if (name[0] == '_' && name[1] == 'Z' && std::strlen(name) <= demangle_limit()) {
    int status = 0;
    char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
    if (status == 0 && d != nullptr) {
      put(d);
      std::free(d);
      return;
    }
    std::free(d);
  }
  put(name);
}

void print_name(FILE* out, const Frame& f) {
  put_frame_name(f, [out](const char* s) { std::fputs(s, out); });
}

void name_string(const Frame& f, std::string* out) {
  put_frame_name(f, [out](const char* s) { out->assign(s); });
}

/// "\t<file>:<line> +0x<off>\n".  The offset is pc's from the physical function's
/// entry, printed when pc is past it (as Go does), not for inlined calls; for
/// code in no known function the pc itself is printed instead.
void print_location(FILE* out, const char* file, int line, bool inlined, uintptr_t pc, uintptr_t entry) {
  char buf[48];
  std::fputc('\t', out);
  if (file != nullptr) {
    std::fputs(file, out);
    std::snprintf(buf, sizeof buf, ":%d", line);
  } else {
    std::snprintf(buf, sizeof buf, "?:0");
  }
  std::fputs(buf, out);
  if (inlined) {
    // no offset
  } else if (entry != 0 && pc > entry) {
    std::snprintf(buf, sizeof buf, " +0x%lx", static_cast<unsigned long>(pc - entry));
    std::fputs(buf, out);
  } else if (entry == 0) {
    std::snprintf(buf, sizeof buf, " pc=0x%lx", static_cast<unsigned long>(pc));
    std::fputs(buf, out);
  }
  std::fputc('\n', out);
}

/// Symbolizes w's frames into g_syms, up to and including a goroutine's first
/// function; returns how many physical frames that keeps.
int symbolize(SymbolizerLock& sl, const Walk& w) {
  g_syms.used = 0;
  int n = 0, i = 0;
  while (i < w.n) {
    g_syms.first[i] = n;
    const uintptr_t tpc = w.lookup_pc(i);
    n += expand(sl, tpc, g_syms.frames + n, std::min(kMaxInline, kMaxLogical - n), &g_syms.entry[i]);
    ++i;
    uintptr_t entry = 0;
    Dwfl_Module* mod = sl.module_at(tpc);
    const char* sym = mod != nullptr ? symbol_at(mod, tpc, &entry) : nullptr;
    if (sym != nullptr && starts_with(sym, kGoroutineEntry)) break;
  }
  g_syms.first[i] = n;
  return i;
}

/// Prints the first nphys frames of w (symbolized in g_syms); returns how many
/// were printed.
int print_frames(FILE* out, const Walk& w, int nphys, int skip, bool show_runtime) {
  const Frame* fr = g_syms.frames;
  // The outermost user frame: everything below it is thread or goroutine start-up.
  int last = -1;
  if (!show_runtime) {
    for (int j = g_syms.first[nphys] - 1; j >= 0 && last < 0; --j) {
      if (fr[j].kind == Kind::User) last = j;
    }
  }
  int printed = 0;
  for (int i = 0; i < nphys; ++i) {
    for (int j = g_syms.first[i]; j < g_syms.first[i + 1]; ++j) {
      if (j < skip) continue;
      if (!show_runtime && (j > last || fr[j].kind == Kind::Runtime || (w.flags[i] & kFrameSignal) != 0)) continue;
      print_name(out, fr[j]);
      std::fputc('\n', out);
      print_location(out, fr[j].file, fr[j].line, fr[j].inlined, w.pc[i], g_syms.entry[i]);
      ++printed;
    }
  }
  return printed;
}

}  // namespace

void print_walk(FILE* out, const Walk& w, int skip, bool show_runtime) {
  SymbolizerLock sl;
  if (sl.dwfl() == nullptr) {
    print_walk_unsymbolized(out, w);
    return;
  }
  const int n = symbolize(sl, w);
  if (print_frames(out, w, n, skip, show_runtime) == 0 && !show_runtime) print_frames(out, w, n, skip, true);
  if (w.elided && n == w.n) std::fputs("...additional frames elided...\n", out);
}

void print_walk_unsymbolized(FILE* out, const Walk& w) {
  char buf[64];
  for (int i = 0; i < w.n; ++i) {
    std::snprintf(buf, sizeof buf, "?\n\t?:0 pc=0x%lx\n", static_cast<unsigned long>(w.pc[i]));
    std::fputs(buf, out);
  }
  if (w.elided) std::fputs("...additional frames elided...\n", out);
}

void symbolize_process(int pid) {
  std::lock_guard<std::mutex> lock(g_sym.mu);
  g_sym.pid = pid;
}

namespace {

/// The frame that names return address upc: gort::go and other inlined
/// helpers sit inside their caller, so it is the innermost user function
/// around upc (the physical function if none is user code).  Null without
/// symbols.  *entry: the physical function's start.  Valid while sl is held.
const Frame* naming_frame(SymbolizerLock& sl, uintptr_t upc, uintptr_t* entry) {
  *entry = 0;
  if (sl.dwfl() == nullptr) return nullptr;
  g_syms.used = 0;
  const int k = expand(sl, upc - 1, g_syms.frames, kMaxInline, entry);
  for (int j = 0; j < k; ++j) {
    if (g_syms.frames[j].kind == Kind::User) return &g_syms.frames[j];
  }
  return &g_syms.frames[k - 1];
}

}  // namespace

void traceback_created_by(FILE* out, const void* pc, int64_t parent_goid) {
  if (pc == nullptr) return;
  const auto upc = reinterpret_cast<uintptr_t>(pc);
  SymbolizerLock sl;
  uintptr_t entry = 0;
  const Frame* creator = naming_frame(sl, upc, &entry);
  char buf[64];
  std::fputs("created by ", out);
  if (creator != nullptr) {
    print_name(out, *creator);
  } else {
    std::fputs("?", out);
  }
  std::snprintf(buf, sizeof buf, " in goroutine %lld\n", static_cast<long long>(parent_goid));
  std::fputs(buf, out);
  // Go prints the offset in the creating function's code even when the go
  // statement sits in an inlined call.
  print_location(out, creator != nullptr ? creator->file : nullptr, creator != nullptr ? creator->line : 0, false,
                 upc, entry);
}

bool symbolize_return_address(const void* pc, std::string* function, std::string* file, int* line) {
  if (pc == nullptr) return false;
  SymbolizerLock sl;
  uintptr_t entry = 0;
  const Frame* f = naming_frame(sl, reinterpret_cast<uintptr_t>(pc), &entry);
  if (f == nullptr || (f->mangled == nullptr && f->text == nullptr)) return false;
  name_string(*f, function);
  file->assign(f->file != nullptr ? f->file : "");
  *line = f->line;
  return true;
}

void symbolize_frames(uintptr_t pc, std::vector<SymbolizedFrame>* out) {
  SymbolizerLock sl;
  if (sl.dwfl() == nullptr) {
    out->push_back(SymbolizedFrame{});
    return;
  }
  g_syms.used = 0;
  uintptr_t entry = 0;
  const int n = expand(sl, pc, g_syms.frames, kMaxInline, &entry);
  for (int i = 0; i < n; ++i) {
    const Frame& f = g_syms.frames[i];
    SymbolizedFrame& sf = out->emplace_back();
    if (f.mangled != nullptr || f.text != nullptr) name_string(f, &sf.function);
    if (f.file != nullptr) sf.file = f.file;
    sf.line = f.line;
    sf.start_line = f.start_line;
    sf.entry = entry;
    sf.runtime = f.kind == Kind::Runtime;
  }
}

}  // namespace gort::runtime
