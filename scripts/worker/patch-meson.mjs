// Rewrites mediasoup's worker meson files so they build against Debian's system libraries
// instead of meson subprojects (which would be downloaded, and nothing downloads here).
// Usage: node patch-meson.mjs <worker-source-copy>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: patch-meson.mjs <worker dir>');

// Debian 12 ships meson 1.0.1; nothing in the worker's build needs 1.1 features.
const MESON_VERSION = /meson_version:\s*'>= 1\.1\.0'/;

const SYSTEM_DEPS = `
# --- system dependencies (patched by scripts/worker/patch-meson.mjs) ---
openssl_dep = dependency('openssl')
nlohmann_json_dep = dependency('nlohmann_json')
libuv_dep = dependency('libuv')
srtp_sys = dependency('libsrtp2')
# Debian installs libsrtp2's headers under <includedir>/srtp2; mediasoup includes <srtp.h>.
libsrtp2_dep = declare_dependency(
  dependencies: srtp_sys,
  compile_args: ['-I' + srtp_sys.get_variable(pkgconfig: 'includedir') / 'srtp2'],
)
usrsctp_dep = dependency('usrsctp')
absl_dep = declare_dependency(dependencies: [
  dependency('absl_flat_hash_map'), dependency('absl_flat_hash_set'),
  dependency('absl_node_hash_map'), dependency('absl_strings'),
  dependency('absl_optional'), dependency('absl_variant'),
])
catch2_dep = dependency('catch2', required: false)
`;

// subproject variable -> system dependency variable
const DEP_MAP = {
  absl_container_dep: 'absl_dep',
  absl_strings_dep: 'absl_dep',
  absl_types_dep: 'absl_dep',
  openssl_dep: 'openssl_dep',
  nlohmann_json_dep: 'nlohmann_json_dep',
  libuv_dep: 'libuv_dep',
  libsrtp2_dep: 'libsrtp2_dep',
  usrsctp_dep: 'usrsctp_dep',
  catch2_dep: 'catch2_dep',
};

function patch(file, { addDeps }) {
  let src = readFileSync(file, 'utf8');
  if (src.includes('patched by scripts/worker/patch-meson.mjs')) return;
  src = src.replace(MESON_VERSION, "meson_version: '>= 1.0.0'");
  // Windows-only getopt shim: this recipe builds for Linux only.
  src = src.replace(/\nif host_machine\.system\(\) == 'windows'\n\s*wingetopt_proj[\s\S]*?\nendif\n/, '\n');
  // Drop every `x_proj = subproject(...)` block (balanced parentheses, no nesting beyond lists).
  src = src.replace(/^(\s*)(\w+)_proj = subproject\([\s\S]*?\n\1\)\n/gm, '');
  // Static libraries of subprojects were linked whole; system libraries come through deps.
  src = src.replace(/^\s*\w+_proj\.get_variable\('\w+_lib'\),?\n/gm, '');
  src = src.replace(/^\s*\w+_proj\.get_variable\('(libuv|libsrtp2|usrsctp)'\),?\n/gm, '');
  src = src.replace(/\w+_proj\.get_variable\('(\w+)'\)/g, (m, name) => {
    const sys = DEP_MAP[name];
    if (!sys) throw new Error(`${file}: no system mapping for ${m}`);
    return sys;
  });
  if (/subproject\(/.test(src)) {
    throw new Error(`${file}: a subproject() call is left`);
  }
  if (addDeps) src = src.replace(/\ncpp = meson\.get_compiler\('cpp'\)\n/, `\ncpp = meson.get_compiler('cpp')\n${SYSTEM_DEPS}`);
  writeFileSync(file, src);
}

patch(join(dir, 'meson.build'), { addDeps: true });
patch(join(dir, 'deps/libwebrtc/meson.build'), { addDeps: false });
console.log('patched meson files in', dir);
