// GOV.UK Frontend styles some components differently once JavaScript runs. Kept in a file of its
// own (no inline script: the Content Security Policy forbids it).
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
