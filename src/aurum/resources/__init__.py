"""3D resource modelling: drillholes, desurvey, compositing, variography, block models,
kriging and inverse distance, classification and resource statements. Pure: arrays and frames
in, arrays, frames and dataclasses out."""
