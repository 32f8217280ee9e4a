// YAML assets are imported as their text: esbuild's `text` loader in bundles, test/yaml-text-transform.cjs in jest.
declare module '*.yaml' {
  const text: string;
  export default text;
}
