// 免登 inside DingTalk: when the client provides its JSAPI (window.dd), ask it for an authCode
// and let the server exchange it for the member. Otherwise the chat link is the way in.
(function () {
  var me = document.currentScript, status = document.getElementById("dd-status");
  var dd = window.dd;
  if (!dd || !dd.runtime || !dd.runtime.permission) {
    if (status) status.textContent = "当前钉钉版本不支持免登，请在聊天中发送「控制台」获取登录链接。";
    return;
  }
  dd.runtime.permission.requestAuthCode({
    corpId: me.getAttribute("data-corp"),
    // state: the value this browser's cookie holds; the server refuses a code without it
    onSuccess: function (r) {
      location.href = me.getAttribute("data-next") + "?code=" + encodeURIComponent(r.code) +
        "&state=" + encodeURIComponent(me.getAttribute("data-state") || "");
    },
    onFail: function () { if (status) status.textContent = "钉钉免登失败，请在聊天中发送「控制台」获取登录链接。"; }
  });
})();
