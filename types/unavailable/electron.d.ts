// 'electron' is not available in this layer's runtime: this layer's tsconfig maps the module name
// here ("paths"), so importing it fails with "is not a module". The layer table is docs/layers.md.
