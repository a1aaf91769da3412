"""The `.pde` grammar, shipped inside the wheel as `pdedsl.grammar` (see `pde.lark`)."""
