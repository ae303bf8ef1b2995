export const id = 623;
export const ids = [623];
export const modules = {

/***/ 7623:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   openS3Store: () => (/* binding */ openS3Store)
/* harmony export */ });
/* harmony import */ var _core_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7657);

/**
 * Opens an `s3://BUCKET[/PREFIX]?region=R&endpoint=URL` store.
 * (Placeholder until the S3 adapter lands.)
 */
async function openS3Store(url, options) {
    void options;
    throw new _core_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .GateError */ .ue('E_STORE_URL', `the S3 store is not available in this build: ${url.href}`);
}
//# sourceMappingURL=s3-store.js.map

/***/ })

};
