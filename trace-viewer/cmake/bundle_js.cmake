# bundle_js.cmake — joins the web viewer's ES modules (trace-viewer/web/src/)
# into the one classic script the page carries.  The page is one file that
# must work opened from file://, where Chromium refuses to load module scripts,
# so the modules are put into one function scope, each after the modules it
# imports (a depth-first walk of the imports from the entry module).
#   cmake -DENTRY=web/src/main.js -DOUT=viewer.js -P bundle_js.cmake
#
# The modules follow rules that make the joined script behave as the module
# graph does; they are checked here, and a module that breaks one stops the
# build:
#  - an import is `import { a, b } from './m.js';` at the start of a line (it
#    may span lines; no `as`, no default or namespace import);
#  - an export is `export function|class|const|let NAME` at the start of a
#    line, one name per statement (no `export { }`, no `export default`);
#  - every imported name is exported by the module it is imported from;
#  - no two modules declare a top-level function of one name (in one scope
#    the later would silently replace the earlier; any other clash of
#    top-level names is a SyntaxError, which the page tests see).
# Only the module that declares a `let` can assign it (an importer cannot), so
# an importer reads the same live value in one scope as through an import.
cmake_minimum_required(VERSION 3.21)
if(NOT ENTRY OR NOT OUT)
  message(FATAL_ERROR "bundle_js: usage: cmake -DENTRY=main.js -DOUT=bundle.js -P bundle_js.cmake")
endif()

set(IDENT "[A-Za-z_$][A-Za-z0-9_$]*")
set_property(GLOBAL PROPERTY TVB_SEEN "")
set_property(GLOBAL PROPERTY TVB_FUNCS "")
set_property(GLOBAL PROPERTY TVB_TEXT "")

# Sets out_var to the matches of well_formed in text, stopping the build with
# message when any statement matching any_form is not one of them.
function(tvb_all_well_formed text any_form well_formed message out_var)
  string(REGEX MATCHALL "${any_form}" all "${text}")
  string(REGEX MATCHALL "${well_formed}" ok "${text}")
  list(LENGTH all n_all)
  list(LENGTH ok n_ok)
  if(NOT n_all EQUAL n_ok)
    message(FATAL_ERROR "${message}")
  endif()
  set(${out_var} "${ok}" PARENT_SCOPE)
endfunction()

# Appends `file` and, before it, every module it imports (once each).
function(tvb_visit file)
  get_property(seen GLOBAL PROPERTY TVB_SEEN)
  if(file IN_LIST seen)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY TVB_SEEN "${file}")
  get_filename_component(dir "${file}" DIRECTORY)
  get_filename_component(name "${file}" NAME)
  file(READ "${file}" text)
  set(text "\n${text}")

  # Exports, recorded before the imports are followed, so that a cycle of
  # imports finds them.
  tvb_all_well_formed("${text}" "\nexport " "\nexport (function|class|const|let) ${IDENT}"
                      "bundle_js: ${file}: an export that is not `export function|class|const|let NAME`" exports)
  set(names "")
  foreach(e IN LISTS exports)
    string(REGEX REPLACE "^\nexport [a-z]+ " "" e "${e}")
    list(APPEND names "${e}")
  endforeach()
  set_property(GLOBAL PROPERTY "TVB_EXPORTS_${file}" "${names}")
  string(REGEX MATCH "\nexport (function|class|const|let) ${IDENT} *=[^\n]*, *${IDENT} *=" multi "${text}")
  if(multi)
    message(FATAL_ERROR "bundle_js: ${file}: one name per export statement:${multi}")
  endif()

  # Top-level functions: no two modules may declare one name.
  string(REGEX MATCHALL "\n(export )?function ${IDENT}" funcs "${text}")
  get_property(known GLOBAL PROPERTY TVB_FUNCS)
  foreach(f IN LISTS funcs)
    string(REGEX REPLACE "^\n(export )?function " "" f "${f}")
    foreach(k IN LISTS known)
      if(k MATCHES "^${f}@(.*)$")
        message(FATAL_ERROR "bundle_js: function ${f} is declared in ${CMAKE_MATCH_1} and in ${name}")
      endif()
    endforeach()
    set_property(GLOBAL APPEND PROPERTY TVB_FUNCS "${f}@${name}")
  endforeach()

  # Imports: follow them, then check that each name is exported.
  tvb_all_well_formed("${text}" "\nimport[^A-Za-z0-9_$]" "\nimport {[^}]*} from '\\./[A-Za-z0-9_]+\\.js'"
                      "bundle_js: ${file}: an import that is not `import { a, b } from './m.js';`" imports)
  foreach(imp IN LISTS imports)
    string(REGEX REPLACE "^\nimport {([^}]*)} from '\\./([A-Za-z0-9_]+\\.js)'$" "\\2" dep "${imp}")
    string(REGEX REPLACE "^\nimport {([^}]*)} from '\\./([A-Za-z0-9_]+\\.js)'$" "\\1" wanted "${imp}")
    if(wanted MATCHES "[^A-Za-z0-9_$, \n]| as ")
      message(FATAL_ERROR "bundle_js: ${file}: only plain names can be imported: {${wanted}}")
    endif()
    tvb_visit("${dir}/${dep}")
    get_property(have GLOBAL PROPERTY "TVB_EXPORTS_${dir}/${dep}")
    string(REGEX REPLACE "[ \n,]+" ";" wanted "${wanted}")
    foreach(w IN LISTS wanted)
      if(NOT w STREQUAL "" AND NOT w IN_LIST have)
        message(FATAL_ERROR "bundle_js: ${name} imports ${w} from ${dep}, which does not export it")
      endif()
    endforeach()
  endforeach()

  string(REGEX REPLACE "\nimport {[^}]*} from '[^']*';" "" text "${text}")
  string(REGEX REPLACE "\nexport " "\n" text "${text}")
  string(REGEX REPLACE "^\n+" "" text "${text}")
  string(REGEX REPLACE "\n\n\n+" "\n\n" text "${text}")
  set_property(GLOBAL APPEND_STRING PROPERTY TVB_TEXT "\n// ===== src/${name} =====\n${text}")
endfunction()

get_filename_component(ENTRY "${ENTRY}" ABSOLUTE)
tvb_visit("${ENTRY}")
get_property(body GLOBAL PROPERTY TVB_TEXT)
set(text "// The trace viewer's script, generated by trace-viewer/cmake/bundle_js.cmake from the
// modules in trace-viewer/web/src/ (each after the modules it imports); do not edit.
(function () {
'use strict';
${body}})();
")
file(WRITE "${OUT}.tmp" "${text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
