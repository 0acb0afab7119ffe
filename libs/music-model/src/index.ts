export * from './invalid-identifier-error';
export * from './isrc';
export * from './upc';
export * from './name';
export * from './release-date';
export * from './spotify-uri';
