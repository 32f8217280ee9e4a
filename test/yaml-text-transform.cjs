// Jest counterpart of esbuild's `text` loader for .yaml assets: the module's default export is the file's text.
module.exports = {
  process(src) {
    return { code: `Object.defineProperty(exports, '__esModule', { value: true }); exports.default = ${JSON.stringify(src)};` };
  },
};
