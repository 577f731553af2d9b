"""Graph-building framework: dtypes, shapes, Graph/Operation/Tensor, GraphDef, errors."""
